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

/** The few methods of an ioredis client (v5, v6) this entry uses. Pass `new Redis(...)`. */
export interface IoRedisClient {
  readonly status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
  duplicate(): IoRedisClient;
  subscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'error', listener: (...args: unknown[]) => void): unknown;
  quit(): Promise<unknown>;
}

/**
 * A connected Redis client: node-redis (`createClient(...)` after `connect()`) or ioredis
 * (`new Redis(...)`). Commands go through the client given; the subscription that keeps every
 * process up to date runs on a duplicate that the store or lock opens and closes itself.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 *
 * const redis: RedisClient = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const store = new RedisTokenStore(redis, { key: '{svc:billing}:tokens' });
 * ```
 */
export type RedisClient = NodeRedisClient | IoRedisClient;

/** One Redis client behind one shape: commands, readiness, and a subscription of its own. */
export interface RedisConnection {
  /** Whether commands can be sent now (a client that is reconnecting would queue them). */
  isReady(): boolean;
  /** Sends one command, failing after `timeoutMs` rather than waiting on a lost server. */
  command(args: string[], timeoutMs: number): Promise<unknown>;
  /**
   * Subscribes one duplicate connection to every channel in `listeners`, each message going to its
   * channel's listener. `onReady` runs each time the subscription is (re)established, when messages
   * may have been missed. Resolves with a function that closes it.
   */
  subscribe(listeners: ChannelListeners, onReady: () => void): Promise<() => Promise<void>>;
}

/** What to do with a message, by the channel it came on. */
export type ChannelListeners = Readonly<Record<string, (message: string) => void>>;

/** Wraps whichever client was given; throws a TypeError for anything else. */
export function redisConnection(client: RedisClient): RedisConnection {
  if (isIoRedis(client)) return ioRedisConnection(client);
  if (isNodeRedis(client)) return nodeRedisConnection(client);
  throw new TypeError('expected a node-redis client (after connect()) or an ioredis client');
}

function isIoRedis(client: RedisClient): client is IoRedisClient {
  return typeof (client as IoRedisClient)?.call === 'function' && typeof (client as IoRedisClient).status === 'string';
}

function isNodeRedis(client: RedisClient): client is NodeRedisClient {
  return (
    typeof (client as NodeRedisClient)?.sendCommand === 'function' &&
    typeof (client as NodeRedisClient).isReady === 'boolean'
  );
}

function nodeRedisConnection(client: NodeRedisClient): RedisConnection {
  return {
    isReady: () => client.isReady,
    // The abort signal takes a command that never went out off node-redis' offline queue, so it
    // cannot run minutes later, when the server is back.
    command: (args, timeoutMs) =>
      withDeadline(timeoutMs, (signal) => client.sendCommand(args, { abortSignal: signal })),
    subscribe: async (listeners, onReady) => {
      const subscriber = client.duplicate();
      subscriber.on('error', () => {}); // reconnects by itself; the owner sees failures on its commands
      await subscriber.connect();
      // node-redis subscribes again after a reconnect, then emits 'ready'.
      subscriber.on('ready', onReady);
      await subscriber.subscribe(Object.keys(listeners), (message, channel) => listeners[channel]?.(message));
      return async () => {
        await (subscriber.close ?? subscriber.quit)!.call(subscriber);
      };
    },
  };
}

function ioRedisConnection(client: IoRedisClient): RedisConnection {
  return {
    isReady: () => client.status === 'ready',
    command: (args, timeoutMs) => withDeadline(timeoutMs, () => client.call(args[0]!, ...args.slice(1))),
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

// Fails after `timeoutMs` and aborts the command, so no caller waits on a server that is gone.
function withDeadline<T>(timeoutMs: number, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  return Promise.race([send(abort.signal), deadline]).finally(() => clearTimeout(timer));
}
