import { type Observable, of } from 'rxjs';
import { catchError, concatMap, map } from 'rxjs/operators';
import { clearStore, readLatest } from './store-access';
import type { TokenStore } from './token-store';

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
