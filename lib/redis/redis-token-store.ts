import type { AuthTokens, TokenStore } from '../index';
import { redisConnection, type RedisClient, type RedisConnection } from './redis-connection';
import { redisKeys, RELEASED, type RedisKeys } from './redis-keys';

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** The Redis key of the credential, e.g. `'{svc:billing}:tokens'`; the lock and channel names derive from it. */
  readonly key: string;
  /** How long one Redis command may take before it fails; default 2 000 ms. */
  readonly commandTimeoutMs?: number;
}

// The record in Redis: the tokens (null once cleared) and a version that every write raises, so a
// process can tell a late message from a newer one, and a clear is a version too rather than a gap.
interface TokenRecord {
  readonly v: number;
  readonly t: AuthTokens | null;
}

// Every write: replaces the record when the mode allows, raises the version, publishes the new
// record, and answers the record the key holds afterwards. `replace` compares access tokens, the
// way the refresh does; a missing record counts as a cleared one.
const WRITE = `
local raw = redis.call('GET', KEYS[1])
local version, held = 0, ''
if raw then
  local record = cjson.decode(raw)
  version = record.v
  if type(record.t) == 'table' then held = record.t.accessToken end
end
if ARGV[1] == 'replace' and held ~= ARGV[2] then return raw or '{"v":0,"t":null}' end
local record = '{"v":' .. string.format('%d', version + 1) .. ',"t":' .. ARGV[3] .. '}'
redis.call('SET', KEYS[1], record)
redis.call('PUBLISH', ARGV[4], record)
return record`;

/**
 * Keeps one credential's tokens in one Redis key, shared by every process that uses the key. Each
 * process keeps a copy in memory, kept fresh through Redis pub/sub, so `get()` costs no round trip.
 * Every write is a Lua script; the refresh's write is a compare-and-set (`replace`) against the
 * record it replaces, so a process whose lock ran out can never overwrite newer tokens. Pair it
 * with a {@link RedisRefreshLock} on the same key. Call `close()` when done: it closes the
 * subscription connection the store opened (the client given stays yours).
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
  /** The newest record this process has seen; null until the first read. */
  private record: TokenRecord | null = null;
  private readonly subscribed: Promise<() => Promise<void>>;
  private loading: Promise<AuthTokens | null> | null = null;

  constructor(client: RedisClient, options: RedisTokenStoreOptions) {
    this.redis = redisConnection(client);
    this.keys = redisKeys('RedisTokenStore', options?.key);
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2_000;
    const reread = () => void this.getLatest().catch(() => undefined); // a failed read is reported by the next one
    this.subscribed = this.redis.subscribe(
      { [this.keys.channel]: (message) => void (message !== RELEASED && this.accept(message)) },
      reread, // back from an outage: messages may have been missed
    );
    // A write that fell between the first read and the subscription would go unseen: read again.
    this.subscribed.then(reread, () => undefined);
  }

  /** The tokens, from memory once the first read has answered. */
  get(): AuthTokens | null | Promise<AuthTokens | null> {
    return this.record ? this.record.t : this.load();
  }

  /** Reads the record from Redis, past the copy in memory: what a refresh does inside the lock. */
  async getLatest(): Promise<AuthTokens | null> {
    const raw = await this.redis.command(['GET', this.keys.tokens], this.commandTimeoutMs);
    return this.accept(typeof raw === 'string' ? raw : null);
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

  /** Closes the subscription connection this store opened. */
  async close(): Promise<void> {
    const unsubscribe = await this.subscribed.catch(() => null);
    await unsubscribe?.();
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
    const args = ['EVAL', WRITE, '1', this.keys.tokens, mode, expected, JSON.stringify(tokens), this.keys.channel];
    const answer = await this.redis.command(args, this.commandTimeoutMs);
    return this.accept(String(answer));
  }

  // Takes a record seen in Redis (a read, a write's answer, a message) unless a newer one was seen.
  private accept(raw: string | null): AuthTokens | null {
    const record: TokenRecord = raw === null ? { v: 0, t: null } : (JSON.parse(raw) as TokenRecord);
    if (this.record === null || record.v >= this.record.v) this.record = record;
    return record.t;
  }
}
