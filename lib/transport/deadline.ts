import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Fails with `onTimeout()` unless the source has finished within `ms`, unsubscribing from it
 * (which aborts an XHR). A plain setTimeout rather than rxjs' `timeout`: that one schedules an
 * asyncScheduler action, a setInterval and its bookkeeping, for every request, which showed in
 * the benchmarks. The transport does real I/O, so virtual time has nothing to gain here.
 */
export function deadline<T>(ms: number, onTimeout: () => unknown): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const timer = setTimeout(() => subscriber.error(onTimeout()), ms);
      // As `defer` does: the source's teardown joins the subscriber's, so an error, a completion
      // or an unsubscribe ends both the source and the timer.
      source.subscribe(subscriber);
      return () => clearTimeout(timer);
    });
}
