// How a session's end reaches the server and the other contexts' stores: the revocation a logout
// asks for, and the local copy forgotten when another context announces an end.
import { defer, firstValueFrom, from, identity, type Observable, type ObservableInput, of, throwError } from 'rxjs';
import { catchError, concatMap, map, timeout } from 'rxjs/operators';
import { clearStore, readLatest } from './store-access';
import type { AuthTokens, TokenStore } from './token-store';

/**
 * Tells the server to revoke `tokens` (`auth.revoke`), bounded by `timeoutMs` (0: unbounded).
 * Never rejects: it answers the failure, or undefined when the server was told, since a logout
 * must sign the user out locally whatever the server says.
 */
export async function revokeTokens(
  revoke: (tokens: AuthTokens) => ObservableInput<unknown>,
  tokens: AuthTokens,
  timeoutMs: number,
): Promise<{ readonly failure: unknown } | undefined> {
  const revoked = defer(() => from(revoke(tokens))).pipe(
    timeoutMs > 0
      ? timeout({ first: timeoutMs, with: () => throwError(() => new Error('the revocation did not answer in time')) })
      : identity,
  );
  return firstValueFrom(revoked, { defaultValue: undefined }).then(
    () => undefined,
    (failure: unknown) => ({ failure }),
  );
}

/**
 * After another context announced that the shared session ended: clears this context's store if
 * the shared record is empty, so a copy the store keeps (a cache, a storage event still on its
 * way) stops being sent at once. A record that holds tokens again is a new login, and is kept.
 * Emits once when done, whatever happened: the session is over here either way.
 */
export function forgetEndedSession(store: TokenStore): Observable<void> {
  return readLatest(store).pipe(
    concatMap((latest) => (latest === null ? clearStore(store) : of(undefined))),
    catchError(() => of(undefined)),
    map(() => undefined),
  );
}
