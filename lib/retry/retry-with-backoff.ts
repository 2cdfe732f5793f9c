import { asyncScheduler, defer, type Observable, throwError, timer, type MonoTypeOperatorFunction } from 'rxjs';
import { switchMap } from 'rxjs/operators';
import { recoverWith } from '../rx/lean-operators';
import { retryDelay } from './retry-delay';
import { resolveRetryOptions, type ResolvedRetryOptions, type RetryOptions } from './retry-options';

/**
 * An operator that resubscribes to its source after a transient failure (a network error, or a
 * status in `statusCodes`), waiting with exponential backoff and full jitter, or as long as a 429
 * or 503 `Retry-After` asks. It retries whatever it is applied to: `methods` is the client's
 * concern. The waits run on rxjs' async scheduler, so `TestScheduler` can run them in virtual
 * time; unsubscribing during a wait cancels it.
 *
 * @example
 * ```ts
 * const me$ = session.authorize((token) =>
 *   ajax
 *     .getJSON('https://api.example.com/me', { Authorization: `Bearer ${token}` })
 *     .pipe(retryWithBackoff({ limit: 3 })),
 * );
 * ```
 */
export function retryWithBackoff<T>(options?: RetryOptions | number): MonoTypeOperatorFunction<T> {
  const resolved = resolveRetryOptions(options);
  if (resolved.limit === 0) return (source) => source;
  return (source) => retryAttempts(() => source, resolved);
}

/**
 * Subscribes to `attempt()`, and after each transient failure waits and subscribes to a fresh
 * `attempt()`. A lean catchError per attempt rather than rxjs' `retry`: a request that succeeds,
 * as most do, then pays for one small layer instead of `retry`'s machinery and two `defer`s.
 * The retry interceptor passes `() => next(req)`, so each attempt runs the rest of the chain anew.
 */
export function retryAttempts<T>(attempt: () => Observable<T>, options: ResolvedRetryOptions): Observable<T> {
  return defer(() => {
    // Per subscription: each resubscription of the result starts a fresh budget.
    const startedAt = asyncScheduler.now();
    const from = (retryIndex: number): Observable<T> =>
      recoverWith(callAttempt(attempt), (error: unknown) => {
        const wait =
          retryIndex < options.limit
            ? retryDelay({ error, retryIndex, elapsedMs: asyncScheduler.now() - startedAt }, options)
            : null;
        return wait === null ? throwError(() => error) : timer(wait).pipe(switchMap(() => from(retryIndex + 1)));
      });
    return from(0);
  });
}

// A throw from `attempt` is a failed attempt like any other, as it would be inside `defer`.
function callAttempt<T>(attempt: () => Observable<T>): Observable<T> {
  try {
    return attempt();
  } catch (error) {
    return throwError(() => error);
  }
}
