import { defer, from, type Observable, of, throwError } from 'rxjs';
import { map } from 'rxjs/operators';
import { AuthRefreshError } from '../errors/auth-refresh-error';
import { TokenStoreError } from '../errors/token-store-error';
import type { AuthTokens, TokenStore } from './token-store';

// Every call the library makes on a TokenStore goes through here, so each failure becomes a
// TokenStoreError naming the operation, and a store that answers at once stays synchronous.

/** Reads the store right away: {@link readStore} without an Observable when the store answers at once. */
export function readStoreNow(store: TokenStore): MaybeAsyncAnswer<AuthTokens | null> {
  const answer = callMaybeAsync(
    () => store.get(),
    (cause) => new TokenStoreError('get', cause),
  );
  return 'now' in answer ? { now: answer.now ?? null } : { later: answer.later.pipe(map((tokens) => tokens ?? null)) };
}

/** Reads the store on subscribe. */
export function readStore(store: TokenStore): Observable<AuthTokens | null> {
  return defer(() => observe(readStoreNow(store)));
}

/**
 * Reads the store's shared record (`getLatest` when it has one): what a refresh must decide on,
 * where a local copy a moment old could present a refresh token another context just spent.
 */
export function readLatest(store: TokenStore): Observable<AuthTokens | null> {
  const read = store.getLatest ? () => store.getLatest!() : () => store.get();
  return defer(() => observe(callMaybeAsync(read, (cause) => new TokenStoreError('get', cause)))).pipe(
    map((tokens) => tokens ?? null),
  );
}

/** Writes `tokens` on subscribe. */
export function writeStore(store: TokenStore, tokens: AuthTokens): Observable<void> {
  return defer(() =>
    observe(
      callMaybeAsync(
        () => store.set(tokens),
        (cause) => new TokenStoreError('set', cause),
      ),
    ),
  );
}

/** Clears the store on subscribe. */
export function clearStore(store: TokenStore): Observable<void> {
  return defer(() =>
    observe(
      callMaybeAsync(
        () => store.clear(),
        (cause) => new TokenStoreError('clear', cause),
      ),
    ),
  );
}

/**
 * Writes `fresh` in place of `stale` with the store's compare-and-set, and emits what the store
 * holds afterwards: `fresh`, or the newer tokens someone else wrote. A cleared store is a logout,
 * whose session the refresh must not bring back.
 */
export function replaceTokens(store: TokenStore, stale: AuthTokens, fresh: AuthTokens): Observable<AuthTokens> {
  return defer(() =>
    observe(
      callMaybeAsync(
        () => store.replace!(stale, fresh),
        (cause) => new TokenStoreError('set', cause),
      ),
    ),
  ).pipe(
    map((held) => {
      if (!held) throw new AuthRefreshError('logged-out');
      return held;
    }),
  );
}

function observe<T>(answer: MaybeAsyncAnswer<T>): Observable<T> {
  return 'now' in answer ? of(answer.now) : answer.later;
}

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
