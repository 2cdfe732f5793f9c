import IoRedis6 from 'ioredis';
import IoRedis5 from 'ioredis5';
import { createClient as createNodeRedis6 } from 'redis';
import { createClient as createNodeRedis5 } from 'redis5';
import type { RedisClient } from '../../../lib/redis';

/** A Redis client library the specs run against, by the name the reports use. */
export interface RedisClientKind {
  readonly name: ClientName;
  /** A connected client of this library. */
  connect(url: string): Promise<RedisClient & { readonly closeForSpec: () => Promise<void> }>;
}

export type ClientName = 'node-redis 6' | 'node-redis 5' | 'ioredis 6' | 'ioredis 5';

// Each client as a user would create it, with its defaults: reconnecting on its own.
const kinds: Record<ClientName, RedisClientKind['connect']> = {
  'node-redis 6': async (url) => {
    const client = createNodeRedis6({ url });
    client.on('error', () => {}); // reconnects by itself; the specs look at what the library reports
    await client.connect();
    return Object.assign(client satisfies RedisClient, { closeForSpec: async () => void (await client.close()) });
  },
  'node-redis 5': async (url) => {
    const client = createNodeRedis5({ url });
    client.on('error', () => {});
    await client.connect();
    return Object.assign(client satisfies RedisClient, { closeForSpec: async () => void (await client.close()) });
  },
  'ioredis 6': async (url) => {
    const client = new IoRedis6(url);
    client.on('error', () => {});
    await new Promise((resolve) => client.once('ready', resolve));
    return Object.assign(client satisfies RedisClient, { closeForSpec: async () => void (await client.quit()) });
  },
  'ioredis 5': async (url) => {
    const client = new IoRedis5(url);
    client.on('error', () => {});
    await new Promise((resolve) => client.once('ready', resolve));
    return Object.assign(client satisfies RedisClient, { closeForSpec: async () => void (await client.quit()) });
  },
};

export function redisClientKind(name: ClientName): RedisClientKind {
  return { name, connect: kinds[name] };
}

export const allClientNames: readonly ClientName[] = ['node-redis 6', 'ioredis 6', 'node-redis 5', 'ioredis 5'];
