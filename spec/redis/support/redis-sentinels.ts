import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisTarget } from './redis-clients';
import type { Failover } from './redis-cluster';
import { commandsProcessed, infoFields, query } from './resp';
import { RedisServer } from './redis-server';
import { until } from './until';

/** The name the Sentinels monitor the primary under. */
export const PRIMARY_NAME = 'tokens-primary';

/**
 * A primary, two replicas and three Sentinels on loopback, from Debian's `redis-server` and
 * `redis-sentinel`, with a short `down-after-milliseconds` so that a failover takes seconds.
 * The specs kill the primary and wait on what the Sentinels report, never on a fixed sleep.
 */
export class RedisSentinels {
  private constructor(
    readonly servers: readonly RedisServer[],
    readonly sentinels: readonly RedisServer[],
  ) {}

  static async start(): Promise<RedisSentinels> {
    // A replica (re)joining syncs at once, not after the default 5 s of waiting for others.
    const syncAtOnce = ['--repl-diskless-sync-delay', '0'];
    const primary = await RedisServer.start({ args: () => syncAtOnce });
    const replicas = await RedisServer.startAll(
      [1, 2].map(
        () => () =>
          RedisServer.start({ args: () => [...syncAtOnce, '--replicaof', '127.0.0.1', String(primary.port)] }),
      ),
      [primary],
    );
    const sentinels = await RedisServer.startAll(
      [1, 2, 3].map(
        () => () =>
          RedisServer.start({
            binary: 'redis-sentinel',
            args: (dir, port) => {
              const config = path.join(dir, 'sentinel.conf');
              writeFileSync(
                config,
                [
                  `port ${port}`,
                  'bind 127.0.0.1',
                  `dir ${dir}`,
                  `sentinel monitor ${PRIMARY_NAME} 127.0.0.1 ${primary.port} 2`,
                  `sentinel down-after-milliseconds ${PRIMARY_NAME} 1000`,
                  `sentinel failover-timeout ${PRIMARY_NAME} 10000`,
                  `sentinel parallel-syncs ${PRIMARY_NAME} 2`,
                  '',
                ].join('\n'),
              );
              return [config];
            },
          }),
      ),
      [primary, ...replicas],
    );
    const set = new RedisSentinels([primary, ...replicas], sentinels);
    try {
      await set.settled();
    } catch (error) {
      await set.close();
      throw error;
    }
    return set;
  }

  /** Where clients start: the Sentinels, as users list them. */
  get target(): RedisTarget {
    const sentinels = this.sentinels.map((sentinel) => ({ host: '127.0.0.1', port: sentinel.port }));
    return { shape: 'sentinel', sentinels, name: PRIMARY_NAME };
  }

  /** The primary's port, as the first Sentinel names it: it holds every key. */
  async primaryFor(): Promise<number> {
    return this.primaryAccordingTo(this.sentinels[0]!.port);
  }

  /** How many commands the servers (not the Sentinels) have run since they started. */
  async commandsProcessed(): Promise<number> {
    return commandsProcessed(this.servers);
  }

  /** Sends one command to the server or Sentinel on `port`. */
  command(port: number, args: readonly string[]): ReturnType<typeof query> {
    return query(port, args);
  }

  /**
   * Kills (`kill -9`) the primary, and resolves once every Sentinel names a new one and it
   * answers as a primary: the failover as clients can see it.
   */
  async killPrimaryFor(): Promise<Failover> {
    const from = await this.primaryFor();
    const killedAt = Date.now();
    await this.servers.find((server) => server.port === from)!.kill();
    let to = from;
    await until(
      async () => {
        const named = await Promise.all(this.sentinels.map((s) => this.primaryAccordingTo(s.port).catch(() => from)));
        to = named[0]!;
        if (to === from || named.some((port) => port !== to)) return false;
        return infoFields(await query(to, ['INFO', 'replication'])).get('role') === 'master';
      },
      30_000,
      `the Sentinels to promote a replica of ${from}`,
    );
    return { ms: Date.now() - killedAt, from, to };
  }

  /** Starts the killed server again: the Sentinels turn it into a replica of the new primary. */
  async heal(): Promise<void> {
    await Promise.all(this.servers.filter((server) => !server.alive).map((server) => server.relaunch()));
    await this.settled();
  }

  async close(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.servers].map((server) => server.close()));
  }

  private async primaryAccordingTo(sentinel: number): Promise<number> {
    const address = await query(sentinel, ['SENTINEL', 'get-master-addr-by-name', PRIMARY_NAME]);
    return Number((address as string[])[1]);
  }

  // Both replicas online on the primary, and every Sentinel knowing the two others and both replicas.
  private async settled(): Promise<void> {
    await until(
      async () => {
        const primary = await this.primaryFor();
        const fields = infoFields(await query(primary, ['INFO', 'replication']));
        const online = [0, 1].every((i) => /state=online/.test(fields.get(`slave${i}`) ?? ''));
        if (fields.get('role') !== 'master' || !online) return false;
        const views = await Promise.all(
          this.sentinels.map(async (sentinel) => {
            const master = await query(sentinel.port, ['SENTINEL', 'master', PRIMARY_NAME]);
            const pairs = master as string[];
            const field = (name: string) => pairs[pairs.indexOf(name) + 1];
            return (
              Number(field('port')) === primary &&
              field('num-other-sentinels') === '2' &&
              field('num-slaves') === String(this.servers.length - 1) &&
              !/s_down|o_down/.test(field('flags') ?? '')
            );
          }),
        );
        return views.every(Boolean);
      },
      60_000,
      'the Sentinels to settle',
    );
  }
}
