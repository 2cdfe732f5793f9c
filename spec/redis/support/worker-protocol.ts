import type { ClientName, RedisTarget } from './redis-clients';

/** What the parent tells a worker process. */
export type ToWorker =
  | {
      readonly type: 'init';
      readonly client: ClientName;
      readonly target: RedisTarget;
      readonly apiUrl: string;
      readonly key: string;
      readonly refreshTimeout: number;
      readonly leaseMs: number;
    }
  /** Send `count` concurrent GET /api requests and report how they ended. */
  | { readonly type: 'burst'; readonly count: number }
  /** Start `count` loops, each sending GET /api requests one after another until `stop-loops`. */
  | { readonly type: 'loops'; readonly count: number }
  /** Report the loops' tally so far. */
  | { readonly type: 'tally' }
  /** Stop the loops; report their tally once every loop has stopped. */
  | { readonly type: 'stop-loops' }
  /** From now on, stop after the token endpoint answers and report `refreshed`, until `go`. */
  | { readonly type: 'hold-after-refresh' }
  | { readonly type: 'go' }
  /** Report `redis-ready` once the Redis client is connected again. */
  | { readonly type: 'await-redis' }
  /** Log out here; report `logged-out` once done. */
  | { readonly type: 'logout' }
  /** Report every auth event type seen so far, in order. */
  | { readonly type: 'events' }
  | { readonly type: 'close' };

/** What a worker tells the parent. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'refresh-start' }
  | { readonly type: 'refreshed' }
  | { readonly type: 'redis-ready' }
  | { readonly type: 'logged-out' }
  /** Sent as soon as the client reports that the session ended, here or in another process. */
  | { readonly type: 'session-end'; readonly end: 'session-expired' | 'logout' }
  | { readonly type: 'events'; readonly events: readonly string[] }
  | {
      readonly type: 'burst-done';
      readonly ok: number;
      readonly failures: readonly string[];
      readonly tokens: readonly string[];
    }
  | { readonly type: 'closed' }
  | ({ readonly type: 'tally' } & LoopTally)
  | ({ readonly type: 'loops-stopped' } & LoopTally);

/** How a worker's request loops have done since they started. */
export interface LoopTally {
  readonly ok: number;
  readonly failed: number;
  /** How many requests failed, by reason (an error's name and reason, never a token). */
  readonly reasons: Readonly<Record<string, number>>;
  /**
   * The Authorization header every loop's last success carried, or '' while they differ: once it
   * names a token, no loop still has a request out with an older one.
   */
  readonly lastToken: string;
}
