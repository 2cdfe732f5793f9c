import { RequestError } from './request-error';

/**
 * Why a refresh failed:
 * - `rejected`: the grant is dead (the token endpoint answered `invalid_grant`, or what
 *   `isRefreshRejected` accepts), or the session ended while the request was under way. The store
 *   was cleared and the session is over: send the user to log in.
 * - `failed`: any other failure (network, 5xx, a bad response, or a token endpoint error such as
 *   `invalid_client` or `invalid_scope`, in `oauthError`). Tokens are kept; a request sent after
 *   the failure tries a new refresh, while the late 401s of requests already out get this error.
 * - `timeout`: the refresh did not answer within `refreshTimeout`. Tokens are kept.
 * - `invalid-tokens`: the refresh answered without a usable `accessToken`, or with a token type
 *   other than Bearer (DPoP, for a session with `auth.dpop`). Tokens are kept.
 * - `logged-out`: the store was cleared (logout) while the refresh ran; its result was dropped.
 * - `storm`: too many refreshes started in a short window (`auth.maxRefreshes`); refused to protect
 *   the token server (`cause` is a {@link RefreshStormError} saying when the next may start). Tokens are kept.
 * - `lock`: the `auth.lock` shared with other processes or tabs failed (`cause` is a
 *   {@link RefreshLockError} saying how); no unlocked refresh ran. Tokens are kept.
 */
export type AuthRefreshFailureReason =
  'rejected' | 'failed' | 'timeout' | 'invalid-tokens' | 'logged-out' | 'storm' | 'lock';

/**
 * What every request waiting on a refresh gets when that refresh fails, and every request that
 * fails because the session ended. `reason` says what happened, `oauthError` holds the token
 * endpoint's `error` code when it sent one, `cause` the underlying error (for example the token
 * endpoint's {@link HttpError}, or the API's 401 for a request whose answer came after the end).
 *
 * @example
 * ```ts
 * client.get('/me').subscribe({
 *   error: (error) => {
 *     if (error instanceof AuthRefreshError && error.reason === 'rejected') router.navigate(['/login']);
 *     else if (error instanceof AuthRefreshError && error.oauthError === 'invalid_client') alertOps();
 *   },
 * });
 * ```
 */
export class AuthRefreshError extends RequestError {
  override name = 'AuthRefreshError' as const;
  /** Why the refresh failed. */
  readonly reason: AuthRefreshFailureReason;
  /** The token endpoint's OAuth 2.0 `error` code (`invalid_grant`, `invalid_client`...), when it sent one. */
  readonly oauthError: string | undefined;

  constructor(reason: AuthRefreshFailureReason, cause?: unknown, oauthError?: string) {
    super(`token refresh failed (${reason}${oauthError ? `: ${oauthError}` : ''})`, undefined, { cause });
    this.reason = reason;
    this.oauthError = oauthError;
  }
}
