import { AuthHttpError } from './auth-http-error';

/**
 * Why a {@link RefreshLock} could not cover a refresh:
 * - `unavailable`: whatever keeps the lock (Redis, say) could not be reached. No refresh ran.
 * - `timeout`: the lock stayed taken past the bounded wait. No refresh ran.
 * - `lost`: the lock's lease ran out while the refresh ran; the refresh was abandoned.
 */
export type RefreshLockFailureReason = 'unavailable' | 'timeout' | 'lost';

/**
 * A refresh lock failed. Requests see it as the `cause` of an {@link AuthRefreshError} with reason
 * `lock`; the tokens are kept, so the next request tries again (and works once the lock's backend is back).
 *
 * @example
 * ```ts
 * client.get('/me').subscribe({
 *   error: (error) => {
 *     if (error instanceof AuthRefreshError && error.cause instanceof RefreshLockError) {
 *       console.warn('lock', error.cause.reason);
 *     }
 *   },
 * });
 * ```
 */
export class RefreshLockError extends AuthHttpError {
  override name = 'RefreshLockError' as const;
  /** What went wrong with the lock. */
  readonly reason: RefreshLockFailureReason;

  constructor(reason: RefreshLockFailureReason, cause?: unknown) {
    super(`the refresh lock failed (${reason})`, { cause });
    this.reason = reason;
  }
}
