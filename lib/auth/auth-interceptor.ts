import type { HttpRequest } from '../http-request';
import type { HttpInterceptor } from '../interceptor';
import type { TokenPlacement } from './auth-options';
import type { AuthSession } from './auth-session';

/**
 * The interceptor that gives a chain the session's token and single-flight refresh. The client
 * puts it first, so every other interceptor runs again, with the new token, on a retry.
 *
 * @example
 * ```ts
 * const session = createAuthSession({ refresh });
 * const client = createHttpClient({ baseUrl, interceptors: [authInterceptor(session), logRequests] });
 * ```
 */
export function authInterceptor(session: AuthSession): HttpInterceptor {
  return (req, next) => {
    if (!req.auth || !session.mayReceiveToken(req.url)) return next(req);
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
