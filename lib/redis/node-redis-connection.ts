import type {
  ChannelListeners,
  NodeRedisClient,
  NodeRedisCluster,
  NodeRedisSentinel,
  RedisConnection,
} from './redis-connection';
import { withDeadline } from './with-deadline';

// The abort signal takes a command that never went out off node-redis' offline queue, so it cannot
// run minutes later, when the server is back.

/** A node-redis client on one server. */
export function nodeRedisConnection(client: NodeRedisClient): RedisConnection {
  return {
    failsOver: false,
    publish: 'PUBLISH',
    isReady: () => client.isReady,
    command: (_key, args, timeoutMs) =>
      withDeadline(timeoutMs, (signal) => client.sendCommand(args, { abortSignal: signal })),
    subscribe: async (listeners, onReady) => {
      const subscriber = client.duplicate();
      subscriber.on('error', () => {}); // reconnects by itself; the owner sees failures on its commands
      await subscriber.connect();
      // node-redis subscribes again after a reconnect, then emits 'ready'.
      subscriber.on('ready', onReady);
      await subscriber.subscribe(Object.keys(listeners), dispatch(listeners));
      return async () => {
        await (subscriber.close ?? subscriber.quit)!.call(subscriber);
      };
    },
  };
}

// A Cluster or Sentinel client keeps pub/sub off its command connections: the store and the lock
// subscribe on it, and unsubscribe only their own listener when closed.

/** A node-redis Cluster client: each command goes to the primary of the key's slot. */
export function nodeRedisClusterConnection(client: NodeRedisCluster): RedisConnection {
  return {
    failsOver: true,
    publish: 'SPUBLISH',
    isReady: () => client.isReady ?? client.isOpen,
    command: (key, args, timeoutMs) =>
      withDeadline(timeoutMs, (signal) => client.sendCommand(key, false, args, { abortSignal: signal })),
    // A node that is ready again (the promoted replica among them) may have missed messages.
    subscribe: (listeners, onReady) =>
      subscribeOnClient(listeners, {
        onReady: (listening) => (listening ? client.on('node-ready', onReady) : client.off('node-ready', onReady)),
        subscribe: (channels, listener) => client.sSubscribe(channels, listener),
        unsubscribe: (channels, listener) => client.sUnsubscribe(channels, listener),
      }),
  };
}

/** A node-redis Sentinel client: commands go to the primary the Sentinels name. */
export function nodeRedisSentinelConnection(client: NodeRedisSentinel): RedisConnection {
  return {
    failsOver: true,
    publish: 'PUBLISH',
    isReady: () => client.isReady,
    command: (_key, args, timeoutMs) =>
      withDeadline(timeoutMs, (signal) => client.sendCommand(false, args, { abortSignal: signal })),
    // After a failover the subscription moves to the new primary: messages may have been missed.
    subscribe: (listeners, onReady) =>
      subscribeOnClient(listeners, {
        onReady: (listening) =>
          listening ? client.on('topology-change', onReady) : client.off('topology-change', onReady),
        subscribe: (channels, listener) => client.subscribe(channels, listener),
        unsubscribe: (channels, listener) => client.unsubscribe(channels, listener),
      }),
  };
}

type Listener = (message: string | Buffer, channel: string | Buffer) => void;

// Subscribes on the user's client, and resolves with what removes only this subscription's
// listeners; a subscription that failed leaves none behind.
async function subscribeOnClient(
  listeners: ChannelListeners,
  client: {
    onReady(listening: boolean): unknown;
    subscribe(channels: string[], listener: Listener): Promise<unknown>;
    unsubscribe(channels: string[], listener: Listener): Promise<unknown>;
  },
): Promise<() => Promise<void>> {
  const channels = Object.keys(listeners);
  const listener = dispatch(listeners);
  client.onReady(true);
  try {
    await client.subscribe(channels, listener);
  } catch (error) {
    client.onReady(false);
    throw error;
  }
  return async () => {
    client.onReady(false);
    await client.unsubscribe(channels, listener);
  };
}

function dispatch(listeners: ChannelListeners): Listener {
  return (message, channel) => listeners[String(channel)]?.(String(message));
}
