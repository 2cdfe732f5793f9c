import type { RequestSummary } from './redact';
import { RequestError } from './request-error';

/**
 * An attempt took longer than its `timeout` (a deadline for the whole response, not an idle
 * timer). The request was aborted. Named so as not to clash with rxjs' own `TimeoutError`.
 *
 * @example
 * ```ts
 * client.get('/report', { timeout: 5_000 }).subscribe({
 *   error: (error) => error instanceof RequestTimeoutError && console.warn(`gave up after ${error.timeout} ms`),
 * });
 * ```
 */
export class RequestTimeoutError extends RequestError {
  override name = 'RequestTimeoutError' as const;
  /** The deadline that passed, in milliseconds. */
  readonly timeout: number;

  constructor(request: RequestSummary, timeout: number) {
    super(`${request.method} ${request.url} timed out after ${timeout} ms`, request);
    this.timeout = timeout;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeout: this.timeout };
  }
}
