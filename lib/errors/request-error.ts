import type { RequestSummary } from './redact';

/**
 * The base class of every error this library emits, so one `instanceof` check catches them all.
 *
 * Each subclass names the failure in `name`, carries the request that failed with its secrets
 * redacted, and keeps the underlying error in the standard `cause`. Messages never contain a token.
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
export class RequestError extends Error {
  override name: string = 'RequestError';
  /** The request that failed, redacted; absent when the error did not come from one request. */
  readonly request: RequestSummary | undefined;

  constructor(message: string, request: RequestSummary | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.request = request;
  }

  /** A plain, secret-free object for loggers that serialize errors. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, request: this.request };
  }
}
