import { ioRedisClusterConnection, ioRedisConnection } from './io-redis-connection';
import { nodeRedisClusterConnection, nodeRedisConnection, nodeRedisSentinelConnection } from './node-redis-connection';

// Listener and option types are written out where used, not aliased: each is part of a public
// interface, and an alias would be a name users see without a page of its own. A listener given
// `string | Buffer` takes what node-redis may pass (strings here: no buffer mode is asked for).

/**
 * The few methods of a node-redis client (v5, v6) this entry uses, so that neither client's types
 * are needed to use it. Pass a client after `await client.connect()`.
 */
export interface NodeRedisClient {
  readonly isReady: boolean;
  sendCommand(args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  duplicate(): NodeRedisClient;
  connect(): Promise<unknown>;
  subscribe(channels: string[], listener: (message: string, channel: string) => void): Promise<unknown>;
  on(event: 'ready' | 'error', listener: (...args: unknown[]) => void): unknown;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
}

/**
 * The few methods of a node-redis Cluster client (`createCluster(...)`, v5, v6) this entry uses.
 * Pass it after `await cluster.connect()`; every command goes to the shard that holds the key, and
 * the subscription runs on the connections node-redis keeps for sharded pub/sub.
 *
 * @example
 * ```ts
 * import { createCluster } from 'redis';
 *
 * const cluster: NodeRedisCluster = await createCluster({ rootNodes: [{ url: 'redis://10.0.0.1:6379' }] }).connect();
 * const store = new RedisTokenStore(cluster, { key: '{svc:billing}:tokens' });
 * ```
 */
export interface NodeRedisCluster {
  /** node-redis 6 says whether it is ready; 5 only whether it is open. */
  readonly isReady?: boolean;
  readonly isOpen: boolean;
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>;
  sSubscribe(channels: string[], listener: (message: string, channel: string) => void): Promise<unknown>;
  sUnsubscribe(channels: string[], listener: (message: string, channel: string) => void): Promise<unknown>;
  /** Only a Cluster client has it: tells it apart from the other node-redis shapes. */
  nodeClient(node: never): Promise<unknown>;
  on(event: 'node-ready', listener: () => void): unknown;
  off(event: 'node-ready', listener: () => void): unknown;
}

/**
 * The few methods of a node-redis Sentinel client (`createSentinel(...)`, v5, v6) this entry uses.
 * Pass it after `await sentinel.connect()`; it follows the primary through failovers by itself, and
 * the subscription runs on the connection node-redis keeps for pub/sub.
 *
 * @example
 * ```ts
 * import { createSentinel } from 'redis';
 *
 * const sentinel: NodeRedisSentinel = await createSentinel({
 *   name: 'tokens-primary',
 *   sentinelRootNodes: [{ host: '10.0.0.5', port: 26379 }],
 * }).connect();
 * const lock = new RedisRefreshLock(sentinel, { key: '{svc:billing}:tokens' });
 * ```
 */
export interface NodeRedisSentinel {
  readonly isReady: boolean;
  sendCommand(
    isReadonly: boolean | undefined,
    args: string[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>;
  subscribe(
    channels: string[],
    listener: (message: string | Buffer, channel: string | Buffer) => void,
  ): Promise<unknown>;
  /** node-redis types the listener to remove as one that may be given Buffers. */
  unsubscribe(
    channels: string[],
    listener: (message: string | Buffer, channel: string | Buffer) => void,
  ): Promise<unknown>;
  /** Only a Sentinel client has it: tells it apart from the other node-redis shapes. */
  acquire(): Promise<unknown>;
  on(event: 'topology-change', listener: () => void): unknown;
  off(event: 'topology-change', listener: () => void): unknown;
}

/**
 * The few methods of an ioredis client (v5, v6) this entry uses. Pass `new Redis(...)`, or
 * `new Redis({ sentinels, name })` for a primary behind Sentinel.
 */
export interface IoRedisClient {
  readonly status: string;
  /** Read for `sentinels`: a client behind Sentinel waits for a replica after its writes. */
  readonly options?: { readonly sentinels?: readonly unknown[] | null | undefined };
  call(command: string, ...args: string[]): Promise<unknown>;
  duplicate(): IoRedisClient;
  subscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'error', listener: (...args: unknown[]) => void): unknown;
  quit(): Promise<unknown>;
}

/**
 * The few methods of an ioredis Cluster client (`new Cluster(nodes)`, v5, v6) this entry uses.
 * The subscription runs on a duplicate with `shardedSubscribers` on, which this entry opens itself.
 *
 * @example
 * ```ts
 * import { Cluster } from 'ioredis';
 *
 * const cluster: IoRedisCluster = new Cluster([{ host: '10.0.0.1', port: 6379 }]);
 * const store = new RedisTokenStore(cluster, { key: '{svc:billing}:tokens' });
 * ```
 */
export interface IoRedisCluster {
  readonly isCluster: boolean;
  readonly status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
  pipeline(commands: string[][]): { exec(): Promise<Array<[Error | null, unknown]> | null> };
  duplicate(startupNodes: [], options: { shardedSubscribers: boolean }): IoRedisCluster;
  ssubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'smessage', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'error', listener: (...args: unknown[]) => void): unknown;
  quit(): Promise<unknown>;
}

/**
 * A connected Redis client: node-redis (`createClient`, `createCluster` or `createSentinel`, after
 * `connect()`) or ioredis (`new Redis(...)`, with `sentinels` or without, or `new Cluster(...)`).
 * Commands go through the client given; the subscription that keeps every process up to date runs
 * on a duplicate that the store or lock opens and closes itself.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 *
 * const redis: RedisClient = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const store = new RedisTokenStore(redis, { key: '{svc:billing}:tokens' });
 * ```
 */
export type RedisClient = NodeRedisClient | NodeRedisCluster | NodeRedisSentinel | IoRedisClient | IoRedisCluster;

/** One Redis client behind one shape: commands, readiness, and a subscription of its own. */
export interface RedisConnection {
  /**
   * Whether the client fronts primaries that fail over to replicas (Cluster, Sentinel), so that a
   * write is worth waiting for on a replica.
   */
  readonly failsOver: boolean;
  /** `SPUBLISH` on a Cluster (sharded pub/sub: the message stays on the key's shard), else `PUBLISH`. */
  readonly publish: 'PUBLISH' | 'SPUBLISH';
  /** Whether commands can be sent now (a client that is reconnecting would queue them). */
  isReady(): boolean;
  /**
   * Sends one command to the server that holds `key` (every server, unless a Cluster), failing
   * after `timeoutMs` rather than waiting on a lost server.
   */
  command(key: string, args: string[], timeoutMs: number): Promise<unknown>;
  /**
   * Subscribes one duplicate connection to every channel in `listeners` (all on one slot), each
   * message going to its channel's listener. `onReady` runs each time the subscription is
   * (re)established, when messages may have been missed. Resolves with a function that closes it.
   */
  subscribe(listeners: ChannelListeners, onReady: () => void): Promise<() => Promise<void>>;
}

/** What to do with a message, by the channel it came on. */
export type ChannelListeners = Readonly<Record<string, (message: string) => void>>;

/** Wraps whichever client was given; throws a TypeError for anything else. */
export function redisConnection(client: RedisClient): RedisConnection {
  const shape = client as unknown as Partial<Record<string, unknown>> | null;
  const has = (method: string) => typeof shape?.[method] === 'function';
  if (has('call') && typeof shape?.['status'] === 'string')
    return shape?.['isCluster'] === true
      ? ioRedisClusterConnection(client as IoRedisCluster)
      : ioRedisConnection(client as IoRedisClient);
  if (has('sendCommand') && has('nodeClient') && typeof shape?.['isOpen'] === 'boolean')
    return nodeRedisClusterConnection(client as NodeRedisCluster);
  if (has('sendCommand') && typeof shape?.['isReady'] === 'boolean')
    return has('acquire')
      ? nodeRedisSentinelConnection(client as NodeRedisSentinel)
      : nodeRedisConnection(client as NodeRedisClient);
  throw new TypeError(
    'expected a node-redis client, Cluster or Sentinel (after connect()) or an ioredis client or Cluster',
  );
}
