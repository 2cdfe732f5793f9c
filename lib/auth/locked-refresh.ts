import { type Observable, of, throwError } from 'rxjs';
import { catchError, concatMap } from 'rxjs/operators';
import { AuthRefreshError } from '../errors/auth-refresh-error';
import { RefreshLockError } from '../errors/refresh-lock-error';
import type { RefreshLock } from './refresh-lock';
import { readLatest } from './store-access';
import type { AuthTokens, TokenStore } from './token-store';

/**
 * Runs `refresh` inside `lock`, and only if the shared store still holds the tokens that went
 * stale: a context that held the lock before us may have refreshed already, and presenting the
 * refresh token it spent would count as reuse; its tokens go to `adopt` instead. `refresh` settles
 * its own outcome inside the lock (a rejected refresh token is cleared before the next context
 * reads the store). A lock failure becomes {@link AuthRefreshError} `lock`, a transient failure:
 * the tokens are kept.
 */
export function lockedRefresh<T>(
  lock: RefreshLock,
  store: TokenStore,
  stale: AuthTokens,
  refreshTimeout: number,
  refresh: (current: AuthTokens) => Observable<T>,
  adopt: (current: AuthTokens) => T,
): Observable<T> {
  const insideLock = readLatest(store).pipe(
    concatMap((current) => {
      if (current === null) return throwError(() => new AuthRefreshError('logged-out'));
      return current.accessToken === stale.accessToken ? refresh(current) : of(adopt(current));
    }),
  );
  return lock
    .withLock(insideLock, { refreshTimeout })
    .pipe(
      catchError((error: unknown) =>
        throwError(() => (error instanceof RefreshLockError ? new AuthRefreshError('lock', error) : error)),
      ),
    );
}
