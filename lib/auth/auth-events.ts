import type { AuthRefreshError } from '../errors/auth-refresh-error';

/**
 * What the auth layer reports. Events carry no tokens, so they are safe to log.
 * - `refresh-start`: this session calls its `refresh` (one call per expiry, however many requests
 *   wait on it); none when, under `auth.lock`, another tab or process refreshed first.
 * - `refresh-success`: new tokens are stored, or found stored by another context; `expiresAt` when known.
 * - `refresh-failure`: the refresh failed or was refused (`storm`); emitted just before every
 *   waiting request gets the same {@link AuthRefreshError}. At a session end the store is empty by then.
 * - `session-expired`: the token endpoint rejected the refresh token and the store was cleared:
 *   time to send the user to log in. Follows the matching `refresh-failure`, once every waiting
 *   request has its error, so a `logout()` here changes nothing for them. With an `auth.lock` that
 *   shares session ends (`WebLocksRefreshLock`, `RedisRefreshLock`), every other context emits it too, once.
 * - `logout`: `logout()` cleared the store, here or (with such a lock) in another context.
 * - `revoke-failure`: `logout()` cleared the store but the server's revocation failed (`error`
 *   holds why); the user is signed out locally.
 *
 * @example
 * ```ts
 * client.authEvents$
 *   .pipe(filter((event) => event.type === 'session-expired'))
 *   .subscribe(() => router.navigate(['/login']));
 * ```
 */
export type AuthEvent =
  | { readonly type: 'refresh-start' }
  | { readonly type: 'refresh-success'; readonly expiresAt: number | undefined }
  | { readonly type: 'refresh-failure'; readonly error: AuthRefreshError }
  | { readonly type: 'session-expired'; readonly error: AuthRefreshError }
  | { readonly type: 'revoke-failure'; readonly error: unknown }
  | { readonly type: 'logout' };
