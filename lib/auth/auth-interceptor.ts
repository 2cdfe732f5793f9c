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
  const mayReceiveToken = (url: string) => session.mayReceiveToken(url) || (clientOrigin !== undefined && url.startsWith(`${clientOrigin}/`));
  return (req, next) => {
    if (!req.auth || !mayReceiveToken(req.url)) return next(req);
    return session.authorize((token) => next(token === null ? req : withToken(req, token, session.tokenPlacement)));
  };
}

/** A copy of `req` carrying `token` where `placement` says. */
export function withToken(req: HttpRequest, token: string, placement: TokenPlacement): HttpRequest {
  if ('queryParam' in placement) {
    const url = new URL(req.url);
    url.searchParams.set(placement.queryParam, token);
    return { ...req, url: url.href };
  }
  const value = placement.scheme ? `${placement.scheme} ${token}` : token;
  return { ...req, headers: { ...req.headers, [placement.header.toLowerCase()]: value } };
}
