import type { RedisConnection } from './redis-connection';

/**
 * Resolves the `replicaWaitMs` option: by default 100 ms on a client whose primaries fail over
 * (Cluster, Sentinel), where a write that never reached a replica is lost with its primary, and
 * none on a single server, where `WAIT` would only ever run out. Throws a TypeError for anything
 * but a positive number of milliseconds or `false`.
 */
export function replicaWaitMs(owner: string, option: number | false | undefined, redis: RedisConnection): number {
  if (option === undefined) return redis.failsOver ? 100 : 0;
  if (option === false) return 0;
  if (typeof option !== 'number' || !Number.isFinite(option) || option < 1)
    throw new TypeError(`${owner}: options.replicaWaitMs must be a positive number of milliseconds, or false`);
  return Math.round(option);
}

// A replica that has just (re)joined counts as online (ROLE, INFO) as soon as it has the snapshot,
// but its primary holds the stream of writes back until the replica first acknowledges, up to about
// a second later (the replica's once-a-second REPLCONF ACK): meanwhile a write exists on the primary
// alone. The longer wait covers that second, on a loaded machine too.
const JOINING_REPLICA_MS = 2_000;

/**
 * Waits for one replica of the key's primary to acknowledge the writes made so far on this
 * connection: `WAIT 1 ms`, and if no replica answered that soon but one is connected (`ROLE`), up
 * to ten times longer and at least 2 s more, since a failover would promote a replica that lacks
 * the write. A primary that lists no replica (none is left after a failover until the killed node
 * rejoins) is not waited on: the wait could only run out. Best effort: neither a count of 0 nor an
 * error fails the caller; the compare-and-set on the token record fences whatever a failover still
 * loses.
 */
export async function waitForReplica(
  redis: RedisConnection,
  key: string,
  ms: number,
  timeoutMs: number,
): Promise<void> {
  if (ms === 0) return;
  const ask = (args: string[], bound: number) => redis.command(key, args, bound + timeoutMs).catch(() => null);
  if (Number(await ask(['WAIT', '1', String(ms)], ms)) >= 1) return;
  const role = await ask(['ROLE'], 0);
  const replicas = Array.isArray(role) && Array.isArray(role[2]) ? role[2].length : 0;
  const longer = Math.max(ms * 10, JOINING_REPLICA_MS);
  if (replicas > 0) await ask(['WAIT', '1', String(longer)], longer);
}
