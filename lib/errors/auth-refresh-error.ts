import { RequestError } from './request-error';

/**
 * Why a refresh failed:
 * - `rejected`: the token endpoint refused the refresh token (400 `invalid_grant`, 401...). The
 *   store was cleared and the session is over: send the user to log in.
 * - `failed`: a transient failure (network, 5xx, bad response). Tokens are kept; the next request
 *   tries a new refresh.
 * - `timeout`: the refresh did not answer within `refreshTimeout`. Tokens are kept.
 * - `invalid-tokens`: the refresh answered without a usable `accessToken`. Tokens are kept.
 * - `logged-out`: the store was cleared (logout) while the refresh ran; its result was dropped.
 * - `storm`: too many refreshes in a short window; refused to protect the token server.
 * - `lock`: the `auth.lock` shared with other processes or tabs failed (`cause` is a
 *   {@link RefreshLockError} saying how); no unlocked refresh ran. Tokens are kept.
 */
export type AuthRefreshFailureReason = 'rejected' | 'failed' | 'timeout' | 'invalid-tokens' | 'logged-out' | 'storm' | 'lock';

/**
 * What every request waiting on a refresh gets when that refresh fails. `reason` says what
 * happened, `cause` holds the underlying error (for example the token endpoint's {@link HttpError}).
 *
 * @example
 * ```ts
 * client.get('/me').subscribe({
 *   error: (error) => {
 *     if (error instanceof AuthRefreshError && error.reason === 'rejected') router.navigate(['/login']);
 *   },
 * });
 * ```
 */
export class AuthRefreshError extends RequestError {
  override name = 'AuthRefreshError' as const;
  /** Why the refresh failed. */
  readonly reason: AuthRefreshFailureReason;

  constructor(reason: AuthRefreshFailureReason, cause?: unknown) {
    super(`token refresh failed (${reason})`, undefined, { cause });
    this.reason = reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}
