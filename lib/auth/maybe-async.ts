import { defer, Observable, of, from, throwError } from 'rxjs';

/**
 * Calls `call` on subscribe (a store method that may answer at once or with a Promise) as an Observable, mapping
 * a throw or a rejection through `toError`. A synchronous answer stays synchronous, which keeps
 * the common in-memory path free of Promise ticks.
 */
export function fromMaybeAsync<T>(call: () => T | Promise<T>, toError: (cause: unknown) => Error): Observable<T> {
  return defer(() => callOnce(call, toError));
}

function callOnce<T>(call: () => T | Promise<T>, toError: (cause: unknown) => Error): Observable<T> {
  let result: T | Promise<T>;
  try {
    result = call();
  } catch (cause) {
    return throwError(() => toError(cause));
  }
  if (!isPromiseLike(result)) return of(result);
  return from(
    Promise.resolve(result).then(
      (value) => value,
      (cause: unknown) => Promise.reject(toError(cause)),
    ),
  );
}

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
