import type { HttpTransport } from '../transport/http-transport';
import type { AuthOptions } from './auth-options';

// The OAuth helpers made without a transport of their own, each with a way to remake it on one.
const remakers = new WeakMap<object, (transport: HttpTransport) => unknown>();

/** Marks `made` (built without a transport) as one a client may remake on its own transport. */
export function followsClientTransport<F extends object>(made: F, remake: (transport: HttpTransport) => F): F {
  remakers.set(made, remake);
  return made;
}

/**
 * The auth options a client with `transport` uses: an `oauth2Refresh` or `oauth2Revoke` given no
 * transport of its own sends through the client's, so the token request goes where the API calls go.
 */
export function withClientTransport(auth: AuthOptions, transport: HttpTransport | null): AuthOptions {
  if (transport === null) return auth;
  const refresh = remakers.get(auth.refresh) as ((t: HttpTransport) => AuthOptions['refresh']) | undefined;
  const revoke =
    auth.revoke && (remakers.get(auth.revoke) as ((t: HttpTransport) => AuthOptions['revoke']) | undefined);
  if (!refresh && !revoke) return auth;
  return {
    ...auth,
    ...(refresh ? { refresh: refresh(transport) } : {}),
    ...(revoke ? { revoke: revoke(transport) } : {}),
  };
}
