import { AuthHttpError } from './auth-http-error';
import type { RequestSummary } from './redact';

/**
 * What went wrong with a request: the base of {@link HttpError}, {@link NetworkError},
 * {@link RequestTimeoutError}, {@link ResponseParseError}, {@link InvalidRequestError} and
 * {@link AuthRefreshError}. Each carries the request that failed with its secrets redacted (absent
 * for a refresh failure, which many requests share), and keeps the underlying error in `cause`.
 *
 * @example
 * ```ts
 * client.get('/me').subscribe({
 *   error: (error) => {
 *     if (error instanceof RequestError) console.warn(error.name, error.request?.url);
 *   },
 * });
 * ```
 */
export class RequestError extends AuthHttpError {
  override name: string = 'RequestError';
  /** The request that failed, redacted; absent when the error did not come from one request. */
  readonly request: RequestSummary | undefined;

  constructor(message: string, request: RequestSummary | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.request = request;
  }
}
