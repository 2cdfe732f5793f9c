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
    subscribe: async (listeners, onReady) => {
      const channels = Object.keys(listeners);
      const listener = dispatch(listeners);
      // A node that is ready again (the promoted replica among them) may have missed messages.
      client.on('node-ready', onReady);
      await subscribed(client.sSubscribe(channels, listener), () => client.off('node-ready', onReady));
      return async () => {
        client.off('node-ready', onReady);
        await client.sUnsubscribe(channels, listener);
      };
    },
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
    subscribe: async (listeners, onReady) => {
      const channels = Object.keys(listeners);
      const listener = dispatch(listeners);
      // After a failover the subscription moves to the new primary: messages may have been missed.
      client.on('topology-change', onReady);
      await subscribed(client.subscribe(channels, listener), () => client.off('topology-change', onReady));
      return async () => {
        client.off('topology-change', onReady);
        await client.unsubscribe(channels, listener);
      };
    },
  };
}

// A subscription that failed leaves no listener behind on the user's client.
async function subscribed(subscription: Promise<unknown>, undo: () => void): Promise<void> {
  try {
    await subscription;
  } catch (error) {
    undo();
    throw error;
  }
}

function dispatch(listeners: ChannelListeners): (message: string | Buffer, channel: string | Buffer) => void {
  return (message, channel) => listeners[String(channel)]?.(String(message));
}
