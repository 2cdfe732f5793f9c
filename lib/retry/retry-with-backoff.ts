import {
  asyncScheduler,
  Observable,
  throwError,
  type MonoTypeOperatorFunction,
  type Observer,
  type Subscriber,
  type Subscription,
} from 'rxjs';
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
 * `attempt()`. One observer for every attempt of a subscription rather than rxjs' `retry` or a
 * catchError per attempt: a request that succeeds, as most do, then pays for one small layer.
 * The retry interceptor passes `() => next(req)`, so each attempt runs the rest of the chain anew.
 */
export function retryAttempts<T>(attempt: () => Observable<T>, options: ResolvedRetryOptions): Observable<T> {
  return new Observable<T>((subscriber) => new Attempts(attempt, options, subscriber).start());
}

// The attempts of one subscription, and the budget they share: each resubscription of the result
// starts a fresh one.
class Attempts<T> implements Observer<T> {
  private readonly startedAt = asyncScheduler.now();
  private retryIndex = 0;

  constructor(
    private readonly attempt: () => Observable<T>,
    private readonly options: ResolvedRetryOptions,
    private readonly subscriber: Subscriber<T>,
  ) {}

  start(): Subscription {
    return callAttempt(this.attempt).subscribe(this);
  }

  next(value: T): void {
    this.subscriber.next(value);
  }

  error(error: unknown): void {
    const { retryIndex, options, subscriber } = this;
    let wait: number | null;
    try {
      wait =
        retryIndex < options.limit
          ? retryDelay({ error, retryIndex, elapsedMs: asyncScheduler.now() - this.startedAt }, options)
          : null;
    } catch (thrown) {
      subscriber.error(thrown);
      return;
    }
    if (wait === null) {
      subscriber.error(error);
      return;
    }
    this.retryIndex++;
    // On rxjs' async scheduler, so TestScheduler runs the wait in virtual time; unsubscribing cancels it.
    subscriber.add(asyncScheduler.schedule(() => subscriber.add(this.start()), wait));
  }

  complete(): void {
    this.subscriber.complete();
  }
}

// A throw from `attempt` is a failed attempt like any other, as it would be inside `defer`.
function callAttempt<T>(attempt: () => Observable<T>): Observable<T> {
  try {
    return attempt();
  } catch (error) {
    return throwError(() => error);
  }
}
