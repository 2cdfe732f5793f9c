import type { HttpHandler } from '../client/interceptor';
import type { AuthOptions } from '../auth/auth-options';

// The OAuth helpers made without a transport of their own, each with a way to remake it on one.
const remakers = new WeakMap<object, (send: HttpHandler) => unknown>();

/** Marks `made` (built without a transport) as one that may be remade to send over another. */
export function followsTokenTransport<F extends object>(made: F, remake: (send: HttpHandler) => F): F {
  remakers.set(made, remake);
  return made;
}

/**
 * The auth options with their `oauth2Refresh` and `oauth2Revoke` sending over `send`, when they
 * were made without a `transport` of their own; other functions are left as they are. A client
 * does this with its own transport, and the Angular adapter with Angular's `HttpBackend`: the
 * token request then goes where the app's requests go, and a session needs no second HTTP client.
 * For a session run over a transport of your own (see `createAuthSession`).
 *
 * @example
 * ```ts
 * import { nodeHttpTransport } from 'rxjs-auth-http/node';
 *
 * const transport = nodeHttpTransport()({ secretParams: new Set(), connectTimeout: 10_000 });
 * const session = createAuthSession(
 *   withTokenTransport({ refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/token' }) }, transport),
 * );
 * ```
 */
export function withTokenTransport(auth: AuthOptions, send: HttpHandler): AuthOptions {
  const refresh = remakers.get(auth.refresh) as ((s: HttpHandler) => AuthOptions['refresh']) | undefined;
  const revoke = auth.revoke && (remakers.get(auth.revoke) as ((s: HttpHandler) => AuthOptions['revoke']) | undefined);
  if (!refresh && !revoke) return auth;
  return {
    ...auth,
    ...(refresh ? { refresh: refresh(send) } : {}),
    ...(revoke ? { revoke: revoke(send) } : {}),
  };
}
