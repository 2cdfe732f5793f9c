import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import type { RefreshLock, RefreshLockLimits, SessionEnd } from '../auth/refresh-lock';
import { RefreshLockError } from '../errors/refresh-lock-error';
import { inCallerContext } from './in-caller-context';
import { inTabLocks, type LockRequester } from './in-tab-locks';

/** Options of {@link WebLocksRefreshLock}. */
export interface WebLocksRefreshLockOptions {
  /**
   * How long a tab waits for the lock before its waiting requests fail with {@link RefreshLockError}
   * `timeout`. Default twice the longest hold: `refreshTimeout` (60 000 when `0`) + 5 000 ms.
   */
  readonly waitMs?: number;
  /**
   * Times the wait and the hold. Default rxjs' `asyncScheduler`; a test passes a
   * `VirtualTimeScheduler` to move both without replacing the global timers, which would also
   * stall every other timer in the process.
   */
  readonly scheduler?: SchedulerLike;
}

// The in-lock store read and write, on top of the refresh itself, which `refreshTimeout` bounds.
const HOLD_MARGIN_MS = 5_000;
// A Web Lock has no lease: something must bound a hold even when the refresh itself is unbounded.
const UNBOUNDED_REFRESH_HOLD_MS = 60_000;

/**
 * A {@link RefreshLock} across the tabs of one origin, on the Web Locks API (`navigator.locks`):
 * give every tab's session the same one, with a store all tabs share (a
 * {@link LocalStorageTokenStore}), and a rotating refresh token is spent once per expiry. The
 * browser releases the lock of a tab that closes or reloads. A Web Lock has no lease, so this lock
 * bounds both the hold (`refreshTimeout` plus a margin: past it the refresh is abandoned with
 * `lost`) and the wait (`waitMs`: then `timeout`). It also tells the other tabs, on a
 * BroadcastChannel named after the lock, when the session expired or was logged out here; the
 * message carries no token.
 *
 * Where `navigator.locks` is missing (an insecure `http:` page other than localhost, an old
 * browser, Node) it falls back to a lock inside the tab: one refresh at a time per tab, the shared
 * store still read again inside it, but tabs may race. `crossTab` says which one you have.
 *
 * @example
 * ```ts
 * import { createHttpClient, oauth2Refresh } from 'rxjs-auth-http';
import { LocalStorageTokenStore, WebLocksRefreshLock } from 'rxjs-auth-http/tabs';
 *
 * const client = createHttpClient({
 *   baseUrl: 'https://api.example.com',
 *   auth: {
 *     store: new LocalStorageTokenStore('example-app.tokens'),
 *     lock: new WebLocksRefreshLock('example-app.token-refresh'),
 *     refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'web' }),
 *   },
 * });
 * ```
 */
export class WebLocksRefreshLock implements RefreshLock {
  /** The Web Lock's name, shared by every tab of the origin that refreshes the same tokens. */
  readonly name: string;
  /** Whether tabs are coordinated (`navigator.locks` exists); `false`: one refresh per tab at a time only. */
  readonly crossTab: boolean;
  /** The session ends other tabs announced, heard on the lock's BroadcastChannel. */
  readonly sessionEnds$: Observable<SessionEnd>;
  private readonly locks: LockRequester;
  private readonly waitMs: number | undefined;
  private readonly scheduler: SchedulerLike;
  private channel: BroadcastChannel | null | undefined;

  constructor(name = 'rxjs-auth-http.refresh', options: WebLocksRefreshLockOptions = {}) {
    // Web Locks reserve names that start with '-'.
    if (typeof name !== 'string' || name === '' || name.startsWith('-')) {
      throw new TypeError('WebLocksRefreshLock: the name must be a non-empty string that does not start with "-"');
    }
    const waitMs = options?.waitMs;
    if (waitMs !== undefined && !(typeof waitMs === 'number' && waitMs > 0)) {
      throw new TypeError('WebLocksRefreshLock: waitMs must be a number of milliseconds > 0');
    }
    const scheduler = options?.scheduler ?? asyncScheduler;
    if (typeof scheduler?.schedule !== 'function') {
      throw new TypeError('WebLocksRefreshLock: scheduler must be an rxjs SchedulerLike');
    }
    this.name = name;
    this.waitMs = waitMs;
    this.scheduler = scheduler;
    const native = (globalThis.navigator as Partial<Navigator> | undefined)?.locks;
    this.locks = native ?? inTabLocks;
    this.crossTab = native !== undefined;
    this.sessionEnds$ = new Observable<SessionEnd>((subscriber) => {
      const channel = this.sessionChannel();
      if (channel === null) return undefined;
      const heard = (message: MessageEvent<unknown>) => {
        const end = sessionEndIn(message.data);
        if (end !== null) subscriber.next(end);
      };
      channel.addEventListener('message', heard);
      return () => channel.removeEventListener('message', heard);
    });
  }

  /** Runs `work` while this tab holds the Web Lock, within the bounds described on the class. */
  withLock<T>(work: Observable<T>, limits: RefreshLockLimits): Observable<T> {
    return new Observable<T>((subscriber) => {
      const holdMs = (limits.refreshTimeout || UNBOUNDED_REFRESH_HOLD_MS) + HOLD_MARGIN_MS;
      const waitMs = this.waitMs ?? 2 * holdMs;
      const toCaller = inCallerContext(subscriber);
      const waiting = new AbortController();
      const state = { left: false, timedOut: false, letGo: () => undefined as void };
      const waitTimer = this.scheduler.schedule(() => {
        state.timedOut = true;
        waiting.abort();
      }, waitMs);

      this.locks
        .request(this.name, { signal: waiting.signal }, () => {
          waitTimer.unsubscribe();
          if (state.left) return undefined; // the caller left while the lock was being granted
          return new Promise<void>((release) => {
            const tooLong = () => toCaller.error(new RefreshLockError('lost', new Error(`held past ${holdMs} ms`)));
            const holdTimer = this.scheduler.schedule(tooLong, holdMs);
            const inside = work.subscribe(toCaller);
            state.letGo = () => {
              holdTimer.unsubscribe();
              inside.unsubscribe();
              release();
            };
          });
        })
        .catch((cause: unknown) => {
          const taken = new Error(`the refresh lock stayed taken for ${waitMs} ms`);
          if (state.timedOut) toCaller.error(new RefreshLockError('timeout', taken));
          else toCaller.error(cause instanceof RefreshLockError ? cause : new RefreshLockError('unavailable', cause));
        });

      return () => {
        state.left = true;
        waitTimer.unsubscribe();
        waiting.abort();
        state.letGo();
      };
    });
  }

  /** Tells the other tabs that the session ended here; carries no token. */
  announceSessionEnd(end: SessionEnd): void {
    try {
      this.sessionChannel()?.postMessage({ sessionEnd: end });
    } catch {
      // Best effort: the tab may be closing. The shared store is cleared in any case.
    }
  }

  // One channel per lock, for sending and hearing: a channel never hears its own messages.
  private sessionChannel(): BroadcastChannel | null {
    if (this.channel === undefined) {
      this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`${this.name}:session`) : null;
      // Node keeps a process alive while a channel is open; in a browser the tab bounds its life.
      (this.channel as { unref?: () => void } | null)?.unref?.();
    }
    return this.channel;
  }
}

function sessionEndIn(data: unknown): SessionEnd | null {
  const end = (data as { sessionEnd?: unknown } | null)?.sessionEnd;
  return end === 'session-expired' || end === 'logout' ? end : null;
}
