import type { RequestSummary } from './redact';
import { RequestError } from './request-error';

/**
 * The response succeeded but its body was not what `responseType` promised (for example HTML where
 * JSON was expected). `text` holds the raw body so it can be logged or shown.
 *
 * @example
 * ```ts
 * client.get('/api/data').subscribe({
 *   error: (error) => error instanceof ResponseParseError && console.warn(error.status, error.text.slice(0, 80)),
 * });
 * ```
 */
export class ResponseParseError extends RequestError {
  override name = 'ResponseParseError' as const;
  /** The response status. */
  readonly status: number;
  /** The body as received. */
  readonly text: string;

  constructor(request: RequestSummary, status: number, text: string, cause: unknown) {
    super(`${request.method} ${request.url} returned a body that is not valid JSON`, request, { cause });
    this.status = status;
    this.text = text;
  }

  /** As {@link RequestError.toJSON}, without `text`: a log gets the status, not a whole unreadable body. */
  override toJSON(): Record<string, unknown> {
    const json = super.toJSON();
    delete json['text'];
    return json;
  }
}
