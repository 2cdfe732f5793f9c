import { randomUUID } from 'node:crypto';
import type { AuthTokens, TokenStore } from '../index';
import { redisConnection, type RedisClient, type RedisConnection } from './redis-connection';
import { isFailover } from './failover-error';
import { within } from './with-deadline';
import { redisKeys, type RedisKeys } from './redis-keys';
import { replicaWaitMs, waitForReplica } from './replica-wait';

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** The Redis key of the credential, e.g. `'{svc:billing}:tokens'`; the lock and channel names derive from it. */
  readonly key: string;
  /** How long one Redis command may take before it fails; default 2 000 ms. */
  readonly commandTimeoutMs?: number;
  /**
   * How long a read or write keeps trying while a Cluster or Sentinel primary fails over, before it
   * fails; default 20 000 ms. A client on one server fails at once: its outage is not a failover.
   */
  readonly failoverTimeoutMs?: number;
  /**
   * How long a write waits for one replica to acknowledge it (`WAIT 1 <ms>`; while a replica is
   * connected but has not acknowledged, ten times longer and at least 2 s more), so that a failover
   * does not lose it; `false`: not at all. Default 100 ms with a Cluster or Sentinel client, none
   * with a client on one server.
   */
  readonly replicaWaitMs?: number | false;
}

// The record in Redis: the tokens (null once cleared), a version that every write raises, so a
// process can tell a late message from a newer one (a clear is a version too, never a gap), and the
// epoch the key was created in, so a record written after Redis lost the key is not taken for an old one.
interface TokenRecord {
  readonly e: string;
  readonly v: number;
  readonly t: AuthTokens | null;
}
const NO_RECORD: TokenRecord = { e: '', v: 0, t: null };

// Every write: replaces the record when the mode allows, raises the version (a missing key starts
// epoch ARGV[5] at 1), publishes the new record (PUBLISH, or SPUBLISH on a Cluster: ARGV[4]), and
// answers the record the key holds afterwards. The channel is KEYS[2], so that a Cluster checks it
// is on the record's slot. `replace` compares access tokens, the way the refresh does; a missing
// record counts as a cleared one.
const WRITE = `
local raw = redis.call('GET', KEYS[1])
local epoch, version, held = ARGV[5], 0, ''
if raw then
  local record = cjson.decode(raw)
  epoch, version = record.e, record.v
  if type(record.t) == 'table' then held = record.t.accessToken end
end
if ARGV[1] == 'replace' and held ~= ARGV[2] then return raw or '{"e":"","v":0,"t":null}' end
local record = '{"e":' .. cjson.encode(epoch) .. ',"v":' .. string.format('%d', version + 1) .. ',"t":' .. ARGV[3] .. '}'
redis.call('SET', KEYS[1], record)
redis.call(ARGV[4], KEYS[2], record)
return record`;

// Writes back the record ARGV[3] (epoch ARGV[1], version ARGV[2]) that the key lost, unless the key
// holds that version or a newer one by now, or a record of another epoch (written after the loss);
// publishes it like a write, and answers the record the key holds afterwards.
const RESTORE = `
local raw = redis.call('GET', KEYS[1])
if raw then
  local record = cjson.decode(raw)
  if record.e ~= ARGV[1] or record.v >= tonumber(ARGV[2]) then return raw end
end
redis.call('SET', KEYS[1], ARGV[3])
redis.call(ARGV[4], KEYS[2], ARGV[3])
return ARGV[3]`;

/**
 * Keeps one credential's tokens in one Redis key, shared by every process that uses the key. Each
 * process keeps a copy in memory, kept fresh through Redis pub/sub, so `get()` costs no round trip.
 * Every write is a Lua script; the refresh's write is a compare-and-set (`replace`) against the
 * record it replaces, so a process whose lock ran out can never overwrite newer tokens. Pair it
 * with a {@link RedisRefreshLock} on the same key. Call `close()` when done: it closes the
 * subscription the store opened (the client given stays yours). On a Cluster or Sentinel client,
 * each write waits (at most `replicaWaitMs`) for a replica to have it, and reads and writes try
 * again through a failover for up to `failoverTimeoutMs`. A record Redis lost (a failover that
 * promoted a replica without the last write, a restart without persistence) is written back from
 * the copy of the first process that reads Redis again and holds a newer one; with no copy left,
 * the store reads as signed out.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { createHttpClient, oauth2Refresh } from '../index';
 * import { RedisRefreshLock, RedisTokenStore } from 'rxjs-auth-http/redis';
 *
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const key = '{svc:billing}:tokens';
 * const client = createHttpClient({
 *   baseUrl: 'https://api.example.com',
 *   auth: {
 *     store: new RedisTokenStore(redis, { key }),
 *     lock: new RedisRefreshLock(redis, { key }),
 *     refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'billing' }),
 *   },
 * });
 * ```
 */
export class RedisTokenStore implements TokenStore {
  private readonly redis: RedisConnection;
  private readonly keys: RedisKeys;
  private readonly commandTimeoutMs: number;
  private readonly replicaWaitMs: number;
  private readonly failoverTimeoutMs: number;
  /** The newest record this process has seen; null until the first read. */
  private record: TokenRecord | null = null;
  private readonly subscribed: Promise<() => Promise<void>>;
  private loading: Promise<AuthTokens | null> | null = null;

  constructor(client: RedisClient, options: RedisTokenStoreOptions) {
    this.redis = redisConnection(client);
    this.keys = redisKeys('RedisTokenStore', options?.key);
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2_000;
    this.replicaWaitMs = replicaWaitMs('RedisTokenStore', options.replicaWaitMs, this.redis);
    this.failoverTimeoutMs = this.redis.failsOver ? (options.failoverTimeoutMs ?? 20_000) : 0;
    const reread = () => void this.getLatest().catch(() => undefined); // a failed read is reported by the next one
    this.subscribed = this.redis.subscribe(
      {
        // The lock's 'released' is no record, and is passed over like anything else that is not.
        [this.keys.channel]: (message) => {
          const record = recordIn(message);
          if (record) this.accept(record);
        },
      },
      reread, // back from an outage: messages may have been missed
    );
    // A write that fell between the first read and the subscription would go unseen: read again.
    this.subscribed.then(reread, () => undefined);
  }

  /** The tokens, from memory once the first read has answered. */
  get(): AuthTokens | null | Promise<AuthTokens | null> {
    return this.record ? this.record.t : this.load();
  }

  /**
   * Reads the record from Redis, past the copy in memory: what a refresh does inside the lock, and
   * what the store does after each reconnect. A record older than the copy this process held when
   * it asked (nothing newer having arrived meanwhile) was lost by Redis: the copy is written back.
   */
  async getLatest(): Promise<AuthTokens | null> {
    const key = this.keys.tokens;
    const known = this.record;
    const raw = await this.throughFailover(() => this.redis.command(key, ['GET', key], this.commandTimeoutMs));
    const read = typeof raw === 'string' ? (JSON.parse(raw) as TokenRecord) : NO_RECORD;
    if (known !== null && this.lostSince(known, read)) return this.restore(known);
    return this.accept(read);
  }

  /** Stores tokens unconditionally: for a login. */
  async set(tokens: AuthTokens): Promise<void> {
    await this.write('set', '', tokens);
  }

  /** Clears the tokens in every process. */
  async clear(): Promise<void> {
    await this.write('set', '', null);
  }

  /** Stores `fresh` only if Redis still holds `stale`; answers what Redis holds afterwards. */
  replace(stale: AuthTokens, fresh: AuthTokens): Promise<AuthTokens | null> {
    return this.write('replace', stale.accessToken, fresh);
  }

  /**
   * Closes the subscription this store opened; gives up after `commandTimeoutMs` rather than wait
   * on a server that is gone.
   */
  async close(): Promise<void> {
    await within(this.commandTimeoutMs, async () => {
      const unsubscribe = await this.subscribed.catch(() => null);
      await unsubscribe?.();
    });
  }

  // Not waiting for the subscription: a connection that cannot be made must not hang the read.
  private load(): Promise<AuthTokens | null> {
    this.loading ??= this.getLatest().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async write(
    mode: 'set' | 'replace',
    expected: string,
    tokens: AuthTokens | null,
  ): Promise<AuthTokens | null> {
    const { tokens: key, channel } = this.keys;
    const known = this.record;
    const epoch = randomUUID();
    const args = ['EVAL', WRITE, '2', key, channel, mode, expected, JSON.stringify(tokens), this.redis.publish, epoch];
    // Trying again is safe: a compare-and-set that went through answers the record it wrote.
    const answer = await this.throughFailover(() => this.redis.command(key, args, this.commandTimeoutMs));
    // A refresh token the primary lost in a failover would be presented again once spent: reuse.
    await waitForReplica(this.redis, key, this.replicaWaitMs, this.commandTimeoutMs);
    const record = JSON.parse(String(answer)) as TokenRecord;
    // Refused because Redis lost the record the refresh read (after the read): the new tokens must
    // not be dropped, nor the spent refresh token be presented next. The copy goes back, then the
    // compare-and-set again.
    if (mode === 'replace' && known?.t?.accessToken === expected && this.lostSince(known, record)) {
      await this.restore(known);
      return this.write(mode, expected, tokens);
    }
    return this.accept(record);
  }

  // Whether `read`, older than the copy held when asking with no newer version heard since (an
  // echo of the same one is no news), or no record at all, shows that Redis lost a write.
  private lostSince(known: TokenRecord, read: TokenRecord): boolean {
    const held = this.record;
    if (known.v === 0 || held?.e !== known.e || held.v !== known.v) return false;
    return read.v === 0 || (read.e === known.e && read.v < known.v);
  }

  // Puts back the record Redis lost: with it, a refresh token spent for it is not presented again.
  private async restore(lost: TokenRecord): Promise<AuthTokens | null> {
    const { tokens: key, channel } = this.keys;
    const record = JSON.stringify(lost);
    const args = ['EVAL', RESTORE, '2', key, channel, lost.e, String(lost.v), record, this.redis.publish];
    const answer = await this.throughFailover(() => this.redis.command(key, args, this.commandTimeoutMs));
    await waitForReplica(this.redis, key, this.replicaWaitMs, this.commandTimeoutMs);
    return this.accept(JSON.parse(String(answer)) as TokenRecord);
  }

  // Tries again while a primary fails over (the client finds the new one), until the time runs out.
  private async throughFailover<T>(send: () => Promise<T>): Promise<T> {
    const giveUpAt = Date.now() + this.failoverTimeoutMs;
    for (;;) {
      try {
        return await send();
      } catch (error) {
        if (Date.now() >= giveUpAt || !isFailover(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  // Keeps a record seen in Redis (a read, a write's answer, a message) as the copy unless a newer
  // one of the same epoch was seen, and answers its tokens. A record of another epoch is newer: an
  // epoch starts only once the key is gone. A missing record (version 0) never replaces a copy, which
  // the next read writes back.
  private accept(record: TokenRecord): AuthTokens | null {
    const held = this.record;
    if (held === null || (record.v > 0 && (record.e !== held.e || record.v >= held.v))) this.record = record;
    return record.t;
  }
}

// A message on the channel, if it is a record (anything else there is ignored, never trusted).
function recordIn(message: string): TokenRecord | null {
  try {
    const record = JSON.parse(message) as Partial<TokenRecord> | null;
    return typeof record?.e === 'string' && typeof record.v === 'number' ? (record as TokenRecord) : null;
  } catch {
    return null;
  }
}
