import { randomUUID } from 'node:crypto';
import { Observable, type Subscription } from 'rxjs';
import { RefreshLockError, type RefreshLock, type RefreshLockLimits, type SessionEnd } from '../index';
import { redisConnection, type RedisClient, type RedisConnection } from './redis-connection';
import { isFailover } from './failover-error';
import { within } from './with-deadline';
import { redisKeys, RELEASED, type RedisKeys } from './redis-keys';
import { replicaWaitMs, waitForReplica } from './replica-wait';
import { sessionEndFrom, sessionEndMessage } from './session-end-message';

/** Options of {@link RedisRefreshLock}. */
export interface RedisRefreshLockOptions {
  /** The same key as the {@link RedisTokenStore}'s; the lock's own key and channel derive from it. */
  readonly key: string;
  /**
   * How long a lease lasts unless its holder extends it: how soon another process takes over from
   * one that died. Default `refreshTimeout` + 10 000 ms; never less than `refreshTimeout` + 1 000 ms.
   */
  readonly leaseMs?: number;
  /** How often a waiting process tries the lock if no release message reaches it; default 1 000 ms. */
  readonly pollMs?: number;
  /** How long one Redis command may take before it fails; default 2 000 ms. */
  readonly commandTimeoutMs?: number;
  /**
   * How long a taken lease waits for one replica to acknowledge it (`WAIT 1 <ms>`; while a replica
   * is connected but has not acknowledged, ten times longer and at least 2 s more) before the
   * refresh starts, so that a failover does not hand the lock to a second process; `false`: not at
   * all. Default 100 ms with a Cluster or Sentinel client, none with a client on one server.
   */
  readonly replicaWaitMs?: number | false;
}

// Both compare the lease's random value, so a process can release or extend only its own lease,
// never the one a second process took after the first one's lease ran out. The channel is KEYS[2],
// published with PUBLISH, or SPUBLISH on a Cluster (ARGV[2]).
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call(ARGV[2], KEYS[2], '${RELEASED}')
return 1`;
// Takes the lease, or confirms it when it is already this holder's: a try that timed out may have
// taken it after all, and the retry must not then wait a whole lease for its own.
const TAKE = `
local held = redis.call('GET', KEYS[1])
if held == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 'OK'
end
if held then return false end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 'OK'`;
const EXTEND = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`;

/**
 * A {@link RefreshLock} on one Redis server, for processes that share a {@link RedisTokenStore}:
 * a lease taken with `SET key <random> NX PX`, extended while the refresh runs and released by Lua
 * scripts that check the random value. Waiting processes wake when the lease is released (a
 * message on the key's channel; a bounded poll covers a lost message or a holder that died) and
 * wait at most the lease plus the refresh timeout. When Redis cannot be reached, the refresh fails
 * at once with {@link RefreshLockError} `unavailable`: it never runs unlocked. On a Cluster or
 * Sentinel client it tries again through a failover, within the same wait, and a taken lease waits
 * (at most `replicaWaitMs`) for a replica to have it, so that a failover does not lose it. A holder that loses
 * its lease abandons the refresh (`lost`); the store's compare-and-set fences it in any case.
 *
 * It also tells the other processes on the key when the session ended here (the refresh token was
 * rejected, or the app logged out), on a channel derived from the key, over the same subscription:
 * each of them then reports `session-expired` or `logout` once and stops sending the tokens. The
 * message carries no token; a process ignores its own and any it cannot read.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { createAuthSession } from '../index';
 * import { RedisRefreshLock, RedisTokenStore } from 'rxjs-auth-http/redis';
 *
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * const key = '{svc:billing}:tokens';
 * const session = createAuthSession({
 *   store: new RedisTokenStore(redis, { key }),
 *   lock: new RedisRefreshLock(redis, { key, leaseMs: 45_000 }),
 *   refresh: async (tokens) => ({ accessToken: `new-for-${tokens.refreshToken}` }),
 * });
 * ```
 */
export class RedisRefreshLock implements RefreshLock {
  /**
   * The session ends other processes on the key announced, never this one's own. Heard from the
   * first subscription on; an end announced while this process had lost Redis is not replayed,
   * but the store's cleared record reaches it when it is back.
   */
  readonly sessionEnds$: Observable<SessionEnd>;
  private readonly redis: RedisConnection;
  private readonly keys: RedisKeys;
  private readonly options: {
    leaseMs: number | undefined;
    pollMs: number;
    commandTimeoutMs: number;
    replicaWaitMs: number;
  };
  private readonly wakers = new Set<() => void>();
  /** Tags this process's announcements, so that it can drop them when Redis echoes them back. */
  private readonly sender = randomUUID();
  private readonly endListeners = new Set<(end: SessionEnd) => void>();
  private subscription: Promise<() => Promise<void>> | null = null;

  constructor(client: RedisClient, options: RedisRefreshLockOptions) {
    this.redis = redisConnection(client);
    this.keys = redisKeys('RedisRefreshLock', options?.key);
    this.options = {
      leaseMs: options.leaseMs,
      pollMs: options.pollMs ?? 1_000,
      commandTimeoutMs: options.commandTimeoutMs ?? 2_000,
      replicaWaitMs: replicaWaitMs('RedisRefreshLock', options.replicaWaitMs, this.redis),
    };
    this.sessionEnds$ = new Observable<SessionEnd>((subscriber) => {
      const heard = (end: SessionEnd) => subscriber.next(end);
      this.endListeners.add(heard);
      this.listen();
      return () => this.endListeners.delete(heard);
    });
  }

  /** Tells the other processes on the key that the session ended here; carries no token, never throws. */
  announceSessionEnd(end: SessionEnd): void {
    const { sessionEnds } = this.keys;
    const publish = [this.redis.publish, sessionEnds, sessionEndMessage(this.sender, end)];
    try {
      // Best effort, like a release: the store's cleared record reaches every process in any case.
      this.redis.command(sessionEnds, publish, this.options.commandTimeoutMs).catch(() => undefined);
    } catch {
      // A client torn down under us: nothing to tell anyone with.
    }
  }

  withLock<T>(work: Observable<T>, limits: RefreshLockLimits): Observable<T> {
    return new Observable<T>((subscriber) => {
      const lease = this.leaseFor(limits.refreshTimeout);
      const holder = { value: randomUUID(), held: false, done: false };
      let inside: Subscription | undefined;
      let extender: ReturnType<typeof setInterval> | undefined;
      const fail = (error: RefreshLockError) => subscriber.error(error);

      this.acquire(holder, lease, lease + (limits.refreshTimeout || lease)).then(() => {
        if (holder.done) {
          if (holder.held) this.release(holder.value, lease); // the caller left while the lease was being taken
          return;
        }
        extender = this.keepExtending(holder.value, lease, () => fail(new RefreshLockError('lost')));
        inside = work.subscribe(subscriber);
      }, fail);

      return () => {
        holder.done = true;
        clearInterval(extender);
        inside?.unsubscribe();
        if (holder.held) this.release(holder.value, lease);
      };
    });
  }

  /** Closes the subscription this lock opened; gives up after `commandTimeoutMs` on a server that is gone. */
  async close(): Promise<void> {
    await within(this.options.commandTimeoutMs, async () => {
      const unsubscribe = await this.subscription?.catch(() => null);
      await unsubscribe?.();
    });
  }

  private leaseFor(refreshTimeout: number): number {
    const shortest = refreshTimeout + 1_000;
    return Math.max(this.options.leaseMs ?? refreshTimeout + 10_000, shortest);
  }

  // Tries the lease until it is ours, the wait runs out, or the caller leaves. A single server that
  // cannot be reached fails the refresh at once; a Cluster or Sentinel primary that cannot is
  // failing over, back within seconds, so it is tried again within the same wait.
  private async acquire(
    holder: { value: string; held: boolean; done: boolean },
    lease: number,
    maxWaitMs: number,
  ): Promise<void> {
    const giveUpAt = Date.now() + maxWaitMs;
    this.listen();
    for (;;) {
      let answer: unknown = null;
      let unreachable: unknown = null;
      try {
        if (!this.redis.isReady()) throw new Error('the Redis client is not connected');
        answer = await this.redis.command(
          this.keys.lock,
          ['EVAL', TAKE, '1', this.keys.lock, holder.value, String(lease)],
          this.options.commandTimeoutMs,
        );
      } catch (cause) {
        if (!this.redis.failsOver || !isFailover(cause)) throw new RefreshLockError('unavailable', cause);
        unreachable = cause;
        holder.held = true; // a try that timed out may have taken it: releasing is safe, the value is checked
      }
      if (answer === 'OK') {
        holder.held = true;
        // A lease that no replica has is lost with its primary, and the next process takes the lock.
        await waitForReplica(this.redis, this.keys.lock, this.options.replicaWaitMs, this.options.commandTimeoutMs);
        return;
      }
      if (holder.done) return;
      const left = giveUpAt - Date.now();
      if (left <= 0 && unreachable) throw new RefreshLockError('unavailable', unreachable);
      if (left <= 0)
        throw new RefreshLockError('timeout', new Error(`the refresh lock stayed taken for ${maxWaitMs} ms`));
      await this.wake(Math.min(this.options.pollMs, left));
      if (holder.done) return;
    }
  }

  // Extends the lease every third of it. Lost when Redis says another process holds it, or when
  // no extension got through for a whole lease: past that, another process may hold it.
  private keepExtending(value: string, lease: number, lost: () => void): ReturnType<typeof setInterval> {
    let confirmedAt = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - confirmedAt >= lease) return lost();
      this.redis
        .command(
          this.keys.lock,
          ['EVAL', EXTEND, '1', this.keys.lock, value, String(lease)],
          this.options.commandTimeoutMs,
        )
        .then(
          (answer) => (Number(answer) === 1 ? (confirmedAt = Date.now()) : lost()),
          () => undefined, // Redis away for a moment: the next tick checks the lease's age
        );
    }, lease / 3);
    timer.unref?.();
    return timer;
  }

  // Errors are left to the lease, which runs out by itself; but a release that meets a failover
  // (a Cluster or Sentinel client) is tried again until then, since a lease left behind holds every
  // waiting process up for the rest of it. Nothing waits for it.
  private release(value: string, lease: number): void {
    const giveUpAt = Date.now() + lease;
    const args = ['EVAL', RELEASE, '2', this.keys.lock, this.keys.channel, value, this.redis.publish];
    const attempt = (): Promise<unknown> =>
      this.redis.command(this.keys.lock, args, this.options.commandTimeoutMs).catch((error: unknown) => {
        if (!this.redis.failsOver || !isFailover(error) || Date.now() >= giveUpAt) return undefined;
        return new Promise((resolve) => setTimeout(resolve, 250).unref()).then(attempt);
      });
    void attempt();
  }

  // Resolves on the next message on the channel (a release or a token change), or after `ms`.
  private wake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private listen(): void {
    const wakeAll = () => [...this.wakers].forEach((wake) => wake());
    const heard = (message: string) => {
      const end = sessionEndFrom(message, this.sender);
      if (end !== null) [...this.endListeners].forEach((listener) => listener(end));
    };
    const listeners = { [this.keys.channel]: wakeAll, [this.keys.sessionEnds]: heard };
    this.subscription ??= this.redis.subscribe(listeners, wakeAll);
    this.subscription.catch(() => {
      this.subscription = null; // the poll covers it; try to subscribe again on the next wait
    });
  }
}
