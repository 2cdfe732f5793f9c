import { defer, type Observable } from 'rxjs';
import { map } from 'rxjs/operators';
import { AuthRefreshError } from '../errors/auth-refresh-error';
import { TokenStoreError } from '../errors/token-store-error';
import { answerOf, callMaybeAsync, fromMaybeAsync } from './maybe-async';
import type { AuthTokens, TokenStore } from './token-store';

/** Reads the store's shared record (`getLatest` when it has one), mapping failures to {@link TokenStoreError}. */
export function readLatest(store: TokenStore): Observable<AuthTokens | null> {
  const read = store.getLatest ? () => store.getLatest!() : () => store.get();
  return defer(() => answerOf(callMaybeAsync(read, (cause) => new TokenStoreError('get', cause)))).pipe(map((tokens) => tokens ?? null));
}

/**
 * Writes `fresh` in place of `stale` with the store's compare-and-set, and emits what the store
 * holds afterwards: `fresh`, or the newer tokens someone else wrote. A cleared store is a logout,
 * whose session the refresh must not bring back.
 */
export function replaceTokens(store: TokenStore, stale: AuthTokens, fresh: AuthTokens): Observable<AuthTokens> {
  return fromMaybeAsync(
    () => store.replace!(stale, fresh),
    (cause) => new TokenStoreError('set', cause),
  ).pipe(
    map((held) => {
      if (!held) throw new AuthRefreshError('logged-out');
      return held;
    }),
  );
}
