import { defer, type Observable, of } from 'rxjs';
import { map } from 'rxjs/operators';
import { AuthRefreshError } from '../errors/auth-refresh-error';
import { TokenStoreError } from '../errors/token-store-error';
import { callMaybeAsync, type MaybeAsyncAnswer } from './maybe-async';
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
