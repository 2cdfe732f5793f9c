import type { DPoP } from '../dpop/dpop';

// Refresh functions made without DPoP, each with a way to remake it signing with a session's key.
const remakers = new WeakMap<object, (dpop: DPoP) => unknown>();

/** Marks `made` (built without DPoP) as one a session with `auth.dpop` may remake on its key. */
export function followsSessionDPoP<F extends object>(made: F, remake: (dpop: DPoP) => F): F {
  remakers.set(made, remake);
  return made;
}

/**
 * The refresh a session with `dpop` uses: an `oauth2Refresh` given no DPoP of its own signs with
 * the session's key, so the user passes the key once. Any other function is used as it is.
 */
export function withSessionDPoP<F extends object>(refresh: F, dpop: DPoP): F {
  const remake = remakers.get(refresh) as ((dpop: DPoP) => F) | undefined;
  return remake ? remake(dpop) : refresh;
}
