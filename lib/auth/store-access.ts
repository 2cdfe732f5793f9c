import { defer, from, type Observable, of, throwError } from 'rxjs';
import { map } from 'rxjs/operators';
import { AuthRefreshError } from '../errors/auth-refresh-error';
import { TokenStoreError } from '../errors/token-store-error';
import type { AuthTokens, TokenStore } from './token-store';

// Every call the library makes on a TokenStore goes through here, so each failure becomes a
// TokenStoreError naming the operation, and a store that answers at once stays synchronous.

/** Reads the store right away: {@link readStore} without an Observable when the store answers at once. */
export function readStoreNow(store: TokenStore): MaybeAsyncAnswer<AuthTokens | null> {
  // Called once per request: a module-level function rather than a closure per call.
  const answer = callStore(store, getTokens, 'get');
  if (!('now' in answer)) return { later: answer.later.pipe(map((tokens) => tokens ?? null)) };
  return answer.now === undefined ? { now: null } : answer;
}

const getTokens = (store: TokenStore) => store.get();

/** Reads the store on subscribe. */
export function readStore(store: TokenStore): Observable<AuthTokens | null> {
  return defer(() => observe(readStoreNow(store)));
}

/**
 * Reads the store's shared record (`getLatest` when it has one): what a refresh must decide on,
 * where a local copy a moment old could present a refresh token another context just spent.
 */
export function readLatest(store: TokenStore): Observable<AuthTokens | null> {
  const read = store.getLatest ? (latest: TokenStore) => latest.getLatest!() : getTokens;
  return defer(() => observe(callStore(store, read, 'get'))).pipe(map((tokens) => tokens ?? null));
}

/** Writes `tokens` on subscribe. */
export function writeStore(store: TokenStore, tokens: AuthTokens): Observable<void> {
  return defer(() => observe(callStore(store, (writable) => writable.set(tokens), 'set')));
}

/** Clears the store on subscribe. */
export function clearStore(store: TokenStore): Observable<void> {
  return defer(() => observe(callStore(store, (cleared) => cleared.clear(), 'clear')));
}

/**
 * Writes `fresh` in place of `stale` with the store's compare-and-set, and emits what the store
 * holds afterwards: `fresh`, or the newer tokens someone else wrote. A cleared store is a logout,
 * whose session the refresh must not bring back.
 */
export function replaceTokens(store: TokenStore, stale: AuthTokens, fresh: AuthTokens): Observable<AuthTokens> {
  return defer(() => observe(callStore(store, (swapped) => swapped.replace!(stale, fresh), 'set'))).pipe(
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
 * Calls `call(store)` right away, mapping a throw or a rejection to a {@link TokenStoreError}
 * naming `operation`. A synchronous answer stays synchronous, which keeps the common in-memory
 * path free of Promise ticks.
 */
function callStore<T>(
  store: TokenStore,
  call: (store: TokenStore) => T | Promise<T>,
  operation: StoreOperation,
): MaybeAsyncAnswer<T> {
  let result: T | Promise<T>;
  try {
    result = call(store);
  } catch (cause) {
    return { later: throwError(() => new TokenStoreError(operation, cause)) };
  }
  if (!isPromiseLike(result)) return { now: result };
  return {
    later: from(
      Promise.resolve(result).then(
        (value) => value,
        (cause: unknown) => Promise.reject(new TokenStoreError(operation, cause)),
      ),
    ),
  };
}

type StoreOperation = TokenStoreError['operation'];

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
