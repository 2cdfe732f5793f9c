/** The Redis names one credential uses, all derived from its `key`. */
export interface RedisKeys {
  /** Holds the token record. */
  readonly tokens: string;
  /** Holds the refresh lock's lease. */
  readonly lock: string;
  /** Carries every change of the record, and each release of the lock. */
  readonly channel: string;
  /** Carries the session ends one process announces to the others (never a token). */
  readonly sessionEnds: string;
}

/**
 * Derives the lock and channel names from `key` by suffixing it, so a `{hash tag}` in `key` keeps
 * all of them on one Redis Cluster slot. Throws a TypeError for a missing or empty key.
 */
export function redisKeys(owner: string, key: string): RedisKeys {
  if (typeof key !== 'string' || key === '')
    throw new TypeError(`${owner}: options.key must name the credential, e.g. '{svc:billing}:tokens'`);
  return { tokens: key, lock: `${key}:lock`, channel: `${key}:changes`, sessionEnds: `${key}:session-ends` };
}

/** The message the lock publishes on release; token records are JSON objects, so they never equal it. */
export const RELEASED = 'released';
