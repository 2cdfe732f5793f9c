import type { HttpRequest } from '../http-request';
import type { HttpInterceptor } from '../interceptor';
import type { TokenPlacement } from './auth-options';
import type { AuthSession } from './auth-session';

/**
 * The interceptor that gives a chain the session's token and single-flight refresh, for chains
 * built by hand with {@link chainInterceptors}. (A client given the session as its `auth` places
 * it itself, outside its retry layer.) Put it first, so the interceptors after it run again, with
 * the new token, on the retry. Tokens go only where `session.mayReceiveToken` allows.
 *
 * @example
 * ```ts
 * const session = createAuthSession({ refresh, allowedOrigins: ['https://api.example.com'] });
 * const send = chainInterceptors([authInterceptor(session), logRequests], transport);
 * ```
 */
export function authInterceptor(session: AuthSession): HttpInterceptor {
  return clientAuthInterceptor(session, undefined);
}

/** {@link authInterceptor} that also lets the client's own origin (its `baseUrl`'s) receive the token. */
export function clientAuthInterceptor(session: AuthSession, clientOrigin: string | undefined): HttpInterceptor {
  const ownPrefix = clientOrigin === undefined ? undefined : `${clientOrigin}/`;
  // The prefix test first: it settles the common case (the client's own baseUrl) without parsing the URL.
  const mayReceiveToken = (url: string) => (ownPrefix !== undefined && url.startsWith(ownPrefix)) || session.mayReceiveToken(url);
  const attach = tokenWriter(session.tokenPlacement);
  return (req, next) => {
    if (!req.auth || !mayReceiveToken(req.url)) return next(req);
    return session.authorize((token) => next(token === null ? req : attach(req, token)));
  };
}

/** A copy of `req` carrying `token` where `placement` says. */
export function withToken(req: HttpRequest, token: string, placement: TokenPlacement): HttpRequest {
  return tokenWriter(placement)(req, token);
}

// withToken with the placement read once, not on every request.
function tokenWriter(placement: TokenPlacement): (req: HttpRequest, token: string) => HttpRequest {
  if ('queryParam' in placement) {
    const { queryParam } = placement;
    return (req, token) => {
      const url = new URL(req.url);
      url.searchParams.set(queryParam, token);
      return { ...req, url: url.href };
    };
  }
  const header = placement.header.toLowerCase();
  const prefix = placement.scheme ? `${placement.scheme} ` : '';
  return (req, token) => ({ ...req, headers: { ...req.headers, [header]: prefix + token } });
}
