import { withoutHeaders } from '../headers';
import { redactUrl, type RequestSummary } from './redact';
import { RequestError } from './request-error';

/**
 * The server answered with a status outside 200-299.
 *
 * @example
 * ```ts
 * client.get('/orders/7').subscribe({
 *   error: (error) => {
 *     if (error instanceof HttpError && error.status === 404) showNotFound();
 *   },
 * });
 * ```
 */
export class HttpError<TBody = unknown> extends RequestError {
  override name = 'HttpError' as const;
  /** The response status, for example 404. */
  readonly status: number;
  /** Response headers with lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The response body, parsed as JSON when it is JSON, else text (or binary for blob/arraybuffer). */
  readonly body: TBody;
  /** Where the response came from after redirects, redacted like `request.url`. */
  readonly url: string;

  constructor(init: {
    status: number;
    headers: Readonly<Record<string, string>>;
    body: TBody;
    url: string;
    request: RequestSummary;
  }) {
    super(`${init.request.method} ${init.request.url} failed with status ${init.status}`, init.request);
    this.status = init.status;
    this.headers = init.headers;
    this.body = init.body;
    this.url = redactUrl(init.url);
  }

  /** As {@link RequestError.toJSON}, with `headers` stripped of cookies and credentials. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), headers: withoutHeaders(this.headers, isPrivateHeader) };
  }
}

// Headers a log must never carry, whichever transport produced them.
const PRIVATE_HEADERS: ReadonlySet<string> = new Set([
  'set-cookie',
  'set-cookie2',
  'authorization',
  'cookie',
  'proxy-authorization',
]);

function isPrivateHeader(name: string): boolean {
  return PRIVATE_HEADERS.has(name.toLowerCase());
}
