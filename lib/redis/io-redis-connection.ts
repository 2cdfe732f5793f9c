import type { IoRedisClient, IoRedisCluster, RedisConnection } from './redis-connection';
import { withDeadline } from './with-deadline';

/** An ioredis client on one server, or on the primary its `sentinels` name. */
export function ioRedisConnection(client: IoRedisClient): RedisConnection {
  return {
    failsOver: (client.options?.sentinels?.length ?? 0) > 0,
    publish: 'PUBLISH',
    isReady: () => client.status === 'ready',
    command: (_key, args, timeoutMs) => withDeadline(timeoutMs, () => client.call(args[0]!, ...args.slice(1))),
    subscribe: async (listeners, onReady) => {
      const subscriber = client.duplicate();
      subscriber.on('error', () => {});
      subscriber.on('message', (channel, message) => listeners[channel]?.(message));
      await subscriber.subscribe(...Object.keys(listeners));
      // ioredis subscribes again after a reconnect (autoResubscribe) once it is 'ready'.
      subscriber.on('ready', onReady);
      return async () => {
        await subscriber.quit();
      };
    },
  };
}

/** An ioredis Cluster client: each command goes to the primary of the key's slot. */
export function ioRedisClusterConnection(client: IoRedisCluster): RedisConnection {
  return {
    failsOver: true,
    publish: 'SPUBLISH',
    isReady: () => client.status === 'ready',
    command: (key, args, timeoutMs) => withDeadline(timeoutMs, () => routed(client, key, args)),
    subscribe: async (listeners, onReady) => {
      // One subscriber per primary, following its slots through failovers; the client given keeps
      // its own options.
      const subscriber = client.duplicate([], { shardedSubscribers: true });
      subscriber.on('error', () => {});
      subscriber.on('smessage', (channel, message) => listeners[channel]?.(message));
      await subscriber.ssubscribe(...Object.keys(listeners));
      subscriber.on('ready', onReady);
      return async () => {
        await subscriber.quit();
      };
    },
  };
}

// ioredis routes a command by its keys, and one without (WAIT, ROLE) to any node: a pipeline goes to
// the node of its first keyed command, so these ask the key's primary, on the connection that wrote.
// Each entry of a pipeline names a method of the pipeline, so every command goes through `call`
// (`['WAIT', ...]` names no method, and fails before anything is sent).
const KEYLESS = new Set(['WAIT', 'ROLE']);
async function routed(client: IoRedisCluster, key: string, args: string[]): Promise<unknown> {
  if (!KEYLESS.has(args[0]!)) return client.call(args[0]!, ...args.slice(1));
  const answers = await client
    .pipeline([
      ['call', 'EXISTS', key],
      ['call', ...args],
    ])
    .exec();
  const [error, answer] = answers?.[1] ?? [new Error('the pipeline was not run'), null];
  if (error) throw error;
  return answer;
}
