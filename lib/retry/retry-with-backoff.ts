import type { HttpInterceptor } from '../client/interceptor';
import { asyncScheduler, defer, type MonoTypeOperatorFunction, type Observable, retry, throwError, timer } from 'rxjs';
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
 * `attempt()`: rxjs' `retry` with a `delay` that asks {@link retryDelay} whether and how long. The
 * budget (`limit`, `maxElapsedMs`) is per subscription. The retry interceptor passes
 * `() => next(req)`, so each attempt runs the rest of the chain anew.
 */
export function retryAttempts<T>(attempt: () => Observable<T>, options: ResolvedRetryOptions): Observable<T> {
  return defer(() => retrying(attempt, options, asyncScheduler.now()));
}

// `retry` with a `delay` that asks retryDelay whether and how long, the budget counted from `startedAt`.
function retrying<T>(attempt: () => Observable<T>, options: ResolvedRetryOptions, startedAt: number): Observable<T> {
  return defer(attempt).pipe(
    retry({
      count: options.limit,
      // On rxjs' async scheduler (timer's default), so TestScheduler runs the wait in virtual time.
      delay: (error: unknown, retryCount: number) => {
        const elapsedMs = asyncScheduler.now() - startedAt;
        const wait = retryDelay({ error, retryIndex: retryCount - 1, elapsedMs }, options);
        return wait === null ? throwError(() => error) : timer(wait);
      },
    }),
  );
}

/**
 * The interceptor that retries transient failures as each request's `retry` settings say. The
 * client puts it right after the auth layer: the auth layer then wraps every retry, so a request
 * refreshes at most once however often it is retried, and the interceptors after this one run
 * again for every attempt on the network. A 401 passes straight through to the auth layer.
 */
export function retryInterceptor(): HttpInterceptor {
  return (req, next) => {
    if (req.retry.limit === 0 || !req.retry.methods.has(req.method)) return next(req);
    // Each attempt calls the rest of the chain anew, rather than resubscribing to what its first
    // call returned. The budget starts on this call, with no defer of its own: the client calls its
    // chain on subscribe (inside `authorize`, or a defer), once per subscription.
    return retrying(() => next(req), req.retry, asyncScheduler.now());
  };
}
