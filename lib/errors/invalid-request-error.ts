import type { RequestSummary } from './redact';
import { RequestError } from './request-error';

/**
 * The request could not be sent as written: an invalid or relative URL with nothing to resolve it
 * against, a body type the platform cannot send, an invalid option. Nothing went on the wire.
 *
 * @example
 * ```ts
 * client.get('not a url').subscribe({ error: (error) => console.error(error instanceof InvalidRequestError) });
 * ```
 */
export class InvalidRequestError extends RequestError {
  override name = 'InvalidRequestError' as const;

  constructor(message: string, request?: RequestSummary, options?: { cause?: unknown }) {
    super(message, request, options);
  }
}
