import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RedisTarget } from './redis-clients';
import { commandsProcessed, infoFields, query } from './resp';
import { freePorts } from '../../support/free-port';
import { RedisServer } from './redis-server';
import { until } from './until';

/** A failover as the specs measured it. */
export interface Failover {
  /** From the kill until the clients' view of the topology has a new primary for the key. */
  readonly ms: number;
  readonly from: number;
  readonly to: number;
}

// Short, so that a failover takes about a second rather than the default 15.
const NODE_TIMEOUT_MS = 1_000;

/**
 * A Redis Cluster of 3 primaries and 3 replicas on loopback, from Debian's `redis-server`
 * (`--cluster-enabled yes`), created with `redis-cli --cluster create`. Its nodes are killed and
 * started again by the specs, which wait on the cluster's own state, never on a fixed sleep.
 */
export class RedisCluster {
  private constructor(readonly nodes: readonly RedisServer[]) {}

  static async start(): Promise<RedisCluster> {
    // The bus port is named, not left at port + 10 000: that one may be any other process's (a
    // node failed to start on one in use), or past 65 535.
    const ports = await freePorts(12);
    const nodes = await RedisServer.startAll(
      Array.from(
        { length: 6 },
        (_, i) => () =>
          RedisServer.start(
            {
              args: (dir) => [
                '--cluster-enabled',
                'yes',
                '--cluster-port',
                String(ports[6 + i]),
                '--cluster-config-file',
                `${dir}/nodes.conf`,
                '--cluster-node-timeout',
                String(NODE_TIMEOUT_MS),
                // A replica may always take over, however long its link was down.
                '--cluster-replica-validity-factor',
                '0',
                // A replica (re)joining syncs at once, not after the default 5 s of waiting for others.
                '--repl-diskless-sync-delay',
                '0',
              ],
            },
            ports[i],
          ),
      ),
    );
    const cluster = new RedisCluster(nodes);
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    try {
      await promisify(execFile)('redis-cli', [
        '--cluster',
        'create',
        ...addresses,
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ]);
      await cluster.settled();
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** Where clients start: every node, as users list them. */
  get target(): Extract<RedisTarget, { shape: 'cluster' }> {
    return { shape: 'cluster', nodes: this.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })) };
  }

  /** The port of the primary that serves `key`'s slot, as the live nodes see it. */
  async primaryFor(key: string): Promise<number> {
    const node = this.live()[0]!;
    const slot = Number(await query(node.port, ['CLUSTER', 'KEYSLOT', key]));
    const shards = await this.shards(node.port);
    const shard = shards.find((s) => s.slots.some(([low, high]) => slot >= low && slot <= high));
    if (!shard) throw new Error(`no node serves slot ${slot}`);
    return shard.primary;
  }

  /** How many commands the live nodes have run since they started. */
  async commandsProcessed(): Promise<number> {
    return commandsProcessed(this.nodes);
  }

  /** Sends one command to the node on `port`. */
  command(port: number, args: readonly string[]): ReturnType<typeof query> {
    return query(port, args);
  }

  /**
   * Kills (`kill -9`) the primary that serves `key`, and resolves once a replica has taken its
   * slots and every live node agrees: the failover as clients can see it.
   */
  async killPrimaryFor(key: string): Promise<Failover> {
    const from = await this.primaryFor(key);
    const victim = this.nodes.find((node) => node.port === from)!;
    const killedAt = Date.now();
    await victim.kill();
    let to = from;
    await until(
      async () => {
        to = await this.primaryFor(key).catch(() => from);
        return to !== from && (await this.agreed());
      },
      30_000,
      `a replica to take over from ${from}`,
    );
    return { ms: Date.now() - killedAt, from, to };
  }

  /** Starts every killed node again: each rejoins as a replica of the primary that replaced it. */
  async heal(): Promise<void> {
    await Promise.all(this.nodes.filter((node) => !node.alive).map((node) => node.relaunch()));
    await this.settled();
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.close()));
  }

  private live(): RedisServer[] {
    return this.nodes.filter((node) => node.alive);
  }

  // Every node up, the cluster whole on each, and each primary with its replica connected.
  private async settled(): Promise<void> {
    await until(
      async () => {
        if (!(await this.agreed())) return false;
        const shards = await this.shards(this.nodes[0]!.port);
        if (shards.length !== 3) return false;
        const links = await Promise.all(
          shards.map(async (shard) => infoFields(await query(shard.primary, ['INFO', 'replication']))),
        );
        return links.every(
          (fields) => fields.get('connected_slaves') === '1' && /state=online/.test(fields.get('slave0') ?? ''),
        );
      },
      60_000,
      'the cluster to settle',
    );
  }

  // Every live node sees the whole cluster, and the same primaries serving the same slots: a node
  // that was just started again may still take itself for the primary it was.
  private async agreed(): Promise<boolean> {
    const live = this.live();
    const states = await Promise.all(
      live.map(async (node) => infoFields(await query(node.port, ['CLUSTER', 'INFO']).catch(() => ''))),
    );
    if (!states.every((fields) => fields.get('cluster_state') === 'ok' && fields.get('cluster_slots_ok') === '16384'))
      return false;
    const views = await Promise.all(live.map(async (node) => JSON.stringify(await this.shards(node.port))));
    return views.every((view) => view === views[0]);
  }

  // The primaries with slots, from CLUSTER NODES: `<id> <ip:port@bus> <flags> <master> ... <slots>`.
  private async shards(port: number): Promise<Array<{ primary: number; slots: Array<[number, number]> }>> {
    const lines = String(await query(port, ['CLUSTER', 'NODES']))
      .trim()
      .split('\n');
    return lines
      .flatMap((line) => {
        const [, address, flags, , , , , link, ...ranges] = line.trim().split(' ');
        if (!flags?.split(',').includes('master') || flags.includes('fail') || link !== 'connected') return [];
        const slots = ranges
          .filter((range) => !range.startsWith('['))
          .map((range): [number, number] => {
            const [low, high] = range.split('-').map(Number);
            return [low!, high ?? low!];
          });
        if (slots.length === 0) return [];
        return [{ primary: Number(address!.split('@')[0]!.split(':')[1]), slots }];
      })
      .sort((a, b) => a.primary - b.primary);
  }
}
