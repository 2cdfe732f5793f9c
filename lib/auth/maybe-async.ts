import { from, type Observable, throwError } from 'rxjs';

/**
 * What a call that may answer at once or with a Promise gave: `now` holds a synchronous answer,
 * `later` an Observable of the Promise's answer (or of the error).
 */
export type MaybeAsyncAnswer<T> = { readonly now: T } | { readonly later: Observable<T> };

/**
 * Calls `call` right away (a store method, say), mapping a throw or a rejection through
 * `toError`. A synchronous answer stays synchronous, which keeps the common in-memory path free of
 * Promise ticks.
 */
export function callMaybeAsync<T>(call: () => T | Promise<T>, toError: (cause: unknown) => Error): MaybeAsyncAnswer<T> {
  let result: T | Promise<T>;
  try {
    result = call();
  } catch (cause) {
    return { later: throwError(() => toError(cause)) };
  }
  if (!isPromiseLike(result)) return { now: result };
  return {
    later: from(
      Promise.resolve(result).then(
        (value) => value,
        (cause: unknown) => Promise.reject(toError(cause)),
      ),
    ),
  };
}

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
