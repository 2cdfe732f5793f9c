/** The Redis names one credential uses, all derived from its `key`, all on the key's Cluster slot. */
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
 * Derives the lock and channel names from `key` so that a Redis Cluster puts all of them in the
 * slot of `key`, where one script can touch them: a key with a `{hash tag}` is suffixed (the tag
 * decides the slot); a key without one (and without braces) is wrapped in one, `{key}:lock`, whose
 * slot is the slot of `key` itself. Throws a TypeError for a missing or empty key, and for braces
 * that make no hash tag, whose names could land on other slots.
 */
export function redisKeys(owner: string, key: string): RedisKeys {
  if (typeof key !== 'string' || key === '')
    throw new TypeError(`${owner}: options.key must name the credential, e.g. '{svc:billing}:tokens'`);
  const prefix = hasHashTag(key) ? key : /[{}]/.test(key) ? null : `{${key}}`;
  if (prefix === null)
    throw new TypeError(`${owner}: options.key has braces but no hash tag; write it as '{svc:billing}:tokens'`);
  return { tokens: key, lock: `${prefix}:lock`, channel: `${prefix}:changes`, sessionEnds: `${prefix}:session-ends` };
}

// Redis Cluster's rule: the slot is the hash of what lies between the first '{' and the first '}'
// after it, when that is not empty.
function hasHashTag(key: string): boolean {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1;
}

/** The message the lock publishes on release; token records are JSON objects, so they never equal it. */
export const RELEASED = 'released';
