import type { Observable } from 'rxjs';

/**
 * How a session ended, as one context tells the others that share its lock: the token endpoint
 * rejected the refresh token (`session-expired`), or the app logged out (`logout`). No token
 * travels with it.
 */
export type SessionEnd = 'session-expired' | 'logout';

/** What the refresh tells a {@link RefreshLock} about the work it will run inside. */
export interface RefreshLockLimits {
  /** The session's `refreshTimeout` in ms (`0`: unbounded): a lock with a lease must outlast it. */
  readonly refreshTimeout: number;
}

/**
 * Decides which context may refresh when several share one credential: processes sharing a
 * Redis store, or tabs sharing `localStorage`. A session without one keeps its in-process single
 * flight only. With one, a refresh joins the in-process flight first, then takes the lock, reads
 * the shared store again inside it (another context may have refreshed meanwhile: its tokens are
 * used and the token endpoint is left alone), refreshes, writes with the store's compare-and-set
 * when it has one, and releases.
 *
 * A lock must:
 * - subscribe to `work` only once it holds the lock, and emit what `work` emits;
 * - wait a bounded time for the lock, then fail with {@link RefreshLockError} (`timeout`), or at
 *   once when it cannot reach whatever keeps the lock (`unavailable`): never run `work` unlocked;
 * - fail with `lost` and unsubscribe from `work` when it can no longer be sure it holds the lock
 *   (a lease ran out); the shared store's compare-and-set stays the last fence;
 * - release when `work` settles, or when the subscriber unsubscribes (also while still waiting).
 *
 * @example
 * ```ts
 * import { RedisRefreshLock, RedisTokenStore } from 'rxjs-auth-http/redis';
 *
 * const key = '{svc:billing}:tokens';
 * const auth: AuthOptions = {
 *   store: new RedisTokenStore(redis, { key }),
 *   lock: new RedisRefreshLock(redis, { key }),
 *   refresh,
 * };
 * ```
 */
export interface RefreshLock {
  /** Runs `work` while holding the lock; see {@link RefreshLock} for what a lock must do. */
  withLock<T>(work: Observable<T>, limits: RefreshLockLimits): Observable<T>;
  /**
   * Optional: tells the other contexts that share this lock that the session ended here, so each
   * reports it on its `authEvents$` and stops sending the dead tokens. Best effort, never throws.
   */
  announceSessionEnd?(end: SessionEnd): void;
  /** Optional: the ends other contexts announced (never this lock's own announcements). */
  readonly sessionEnds$?: Observable<SessionEnd>;
}
