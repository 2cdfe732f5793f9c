import type { RequestSummary } from './redact';
import { RequestError } from './request-error';

/**
 * An attempt ran out of time and was aborted. `phase` says which limit passed: `'response'`, the
 * attempt's `timeout` (a deadline for the whole response, not an idle timer), or `'connect'`, the
 * client's `connectTimeout` for establishing a new connection (Node only). Named so as not to
 * clash with rxjs' own `TimeoutError`.
 *
 * @example
 * ```ts
 * client.get('/report', { timeout: 5_000 }).subscribe({
 *   error: (error) =>
 *     error instanceof RequestTimeoutError && console.warn(`${error.phase}: gave up after ${error.timeout} ms`),
 * });
 * ```
 */
export class RequestTimeoutError extends RequestError {
  override name = 'RequestTimeoutError' as const;
  /** The deadline that passed, in milliseconds. */
  readonly timeout: number;
  /** Which limit passed: the whole response's, or establishing the connection's. */
  readonly phase: 'connect' | 'response';

  constructor(request: RequestSummary, timeout: number, phase: 'connect' | 'response' = 'response') {
    const what =
      phase === 'connect' ? `could not connect within ${timeout} ms (connectTimeout)` : `timed out after ${timeout} ms`;
    super(`${request.method} ${request.url} ${what}`, request);
    this.timeout = timeout;
    this.phase = phase;
  }
}
