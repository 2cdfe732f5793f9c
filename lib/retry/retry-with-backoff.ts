import { asyncScheduler, defer, type Observable, throwError, timer, type MonoTypeOperatorFunction } from 'rxjs';
import { retry } from 'rxjs/operators';
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
 *   ajax.getJSON('https://api.example.com/me', { Authorization: `Bearer ${token}` }).pipe(retryWithBackoff({ limit: 3 })),
 * );
 * ```
 */
export function retryWithBackoff<T>(options?: RetryOptions | number): MonoTypeOperatorFunction<T> {
  return retryResolved(resolveRetryOptions(options));
}

/** {@link retryWithBackoff} for options already resolved (the client resolves them per request). */
export function retryResolved<T>(options: ResolvedRetryOptions): MonoTypeOperatorFunction<T> {
  if (options.limit === 0) return (source) => source;
  return (source) =>
    defer(() => {
      // Per subscription: each resubscription of the result starts a fresh budget.
      const startedAt = asyncScheduler.now();
      return source.pipe(
        retry({
          count: options.limit,
          delay: (error: unknown, retryCount: number): Observable<unknown> => {
            const wait = retryDelay({ error, retryIndex: retryCount - 1, elapsedMs: asyncScheduler.now() - startedAt }, options);
            return wait === null ? throwError(() => error) : timer(wait);
          },
        }),
      );
    });
}
