import IoRedis6, { Cluster as IoRedisCluster6 } from 'ioredis';
import IoRedis5, { Cluster as IoRedisCluster5 } from 'ioredis5';
import {
  createClient as createNodeRedis6,
  createCluster as createCluster6,
  createSentinel as createSentinel6,
} from 'redis';
import {
  createClient as createNodeRedis5,
  createCluster as createCluster5,
  createSentinel as createSentinel5,
} from 'redis5';
import type {
  IoRedisClient,
  IoRedisCluster,
  NodeRedisClient,
  NodeRedisCluster,
  NodeRedisSentinel,
  RedisClient,
} from '../../../lib/redis';
import { until } from './until';

/** Where the clients connect: one server, a Cluster (its nodes) or a primary behind Sentinels. */
export type RedisTarget =
  | { readonly shape: 'server'; readonly url: string }
  | { readonly shape: 'cluster'; readonly nodes: readonly Address[] }
  | { readonly shape: 'sentinel'; readonly sentinels: readonly Address[]; readonly name: string };

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** A connected client, with what the specs need beside it. */
export type SpecClient = RedisClient & {
  readonly closeForSpec: () => Promise<void>;
  /** Resolves once the client says it is connected (again). */
  readonly whenReady: () => Promise<void>;
};

/** A Redis client library the specs run against, by the name the reports use. */
export interface RedisClientKind {
  readonly name: ClientName;
  /** A connected client of this library, of the shape the target needs. */
  connect(target: RedisTarget): Promise<SpecClient>;
}

export type ClientName = 'node-redis 6' | 'node-redis 5' | 'ioredis 6' | 'ioredis 5';

// The node-redis client, Cluster and Sentinel share what the specs use of them (node-redis 5's
// Cluster says only whether it is open).
interface NodeRedisLike {
  readonly isReady?: boolean;
  readonly isOpen: boolean;
  on(event: 'error', listener: () => void): unknown;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
}

// `shape` is the same client, checked against the entry's type of it: the real library's types
// must satisfy the entry's.
async function nodeRedis(client: NodeRedisLike, shape: RedisClient): Promise<SpecClient> {
  client.on('error', () => {}); // reconnects by itself; the specs look at what the library reports
  await client.connect();
  return Object.assign(shape, {
    // node-redis 5's Cluster client waits forever to close a connection to a node that was killed.
    closeForSpec: async () => {
      const closed = await Promise.race([
        client.close().then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000).unref()),
      ]);
      if (!closed) client.destroy();
    },
    whenReady: () => until(() => client.isReady ?? client.isOpen, 60_000, 'the client to be ready'),
  });
}

interface IoRedisLike {
  readonly status: string;
  on(event: 'error', listener: () => void): unknown;
  once(event: 'ready', listener: () => void): unknown;
  quit(): Promise<unknown>;
}

async function ioRedis(client: IoRedisLike, shape: RedisClient): Promise<SpecClient> {
  client.on('error', () => {});
  const whenReady = async () => {
    if (client.status !== 'ready') await new Promise<void>((resolve) => client.once('ready', resolve));
  };
  await whenReady();
  return Object.assign(shape, { closeForSpec: async () => void (await client.quit()), whenReady });
}

const url = ({ host, port }: Address) => ({ url: `redis://${host}:${port}` });

// A node-redis major's three constructors, typed as the entry's shapes: the library's own types
// must satisfy them.
interface NodeRedisLibrary {
  createClient(options: { url: string }): NodeRedisLike & NodeRedisClient;
  createCluster(options: { rootNodes: Array<{ url: string }> }): NodeRedisLike & NodeRedisCluster;
  createSentinel(options: { name: string; sentinelRootNodes: Address[] }): NodeRedisLike & NodeRedisSentinel;
}

function nodeRedisKind(library: NodeRedisLibrary): RedisClientKind['connect'] {
  return (target) => {
    if (target.shape === 'cluster') {
      const cluster = library.createCluster({ rootNodes: target.nodes.map(url) });
      return nodeRedis(cluster, cluster);
    }
    if (target.shape === 'sentinel') {
      const sentinel = library.createSentinel({ name: target.name, sentinelRootNodes: [...target.sentinels] });
      return nodeRedis(sentinel, sentinel);
    }
    const client = library.createClient({ url: target.url });
    return nodeRedis(client, client);
  };
}

// Each client as a user would create it, with its defaults: reconnecting, and following
// failovers, on its own.
const kinds: Record<ClientName, RedisClientKind['connect']> = {
  'node-redis 6': nodeRedisKind({
    createClient: createNodeRedis6,
    createCluster: createCluster6,
    createSentinel: createSentinel6,
  }),
  'node-redis 5': nodeRedisKind({
    createClient: createNodeRedis5,
    createCluster: createCluster5,
    createSentinel: createSentinel5,
  }),
  'ioredis 6': (target) => {
    if (target.shape === 'cluster') {
      const cluster = new IoRedisCluster6([...target.nodes]);
      return ioRedis(cluster, cluster satisfies IoRedisCluster);
    }
    const client =
      target.shape === 'sentinel'
        ? new IoRedis6({ sentinels: [...target.sentinels], name: target.name })
        : new IoRedis6(target.url);
    return ioRedis(client, client satisfies IoRedisClient);
  },
  'ioredis 5': (target) => {
    if (target.shape === 'cluster') {
      const cluster = new IoRedisCluster5([...target.nodes]);
      return ioRedis(cluster, cluster satisfies IoRedisCluster);
    }
    const client =
      target.shape === 'sentinel'
        ? new IoRedis5({ sentinels: [...target.sentinels], name: target.name })
        : new IoRedis5(target.url);
    return ioRedis(client, client satisfies IoRedisClient);
  },
};

export function redisClientKind(name: ClientName): RedisClientKind {
  return { name, connect: kinds[name] };
}

export const allClientNames: readonly ClientName[] = ['node-redis 6', 'ioredis 6', 'node-redis 5', 'ioredis 5'];
