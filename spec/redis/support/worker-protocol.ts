import type { ClientName } from './redis-clients';

/** What the parent tells a worker process. */
export type ToWorker =
  | {
      readonly type: 'init';
      readonly client: ClientName;
      readonly redisUrl: string;
      readonly apiUrl: string;
      readonly key: string;
      readonly refreshTimeout: number;
      readonly leaseMs: number;
    }
  /** Send `count` concurrent GET /api requests and report how they ended. */
  | { readonly type: 'burst'; readonly count: number }
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
  | { readonly type: 'closed' };
