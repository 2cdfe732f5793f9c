import { defer, type Observable } from 'rxjs';
import { withHeader } from '../headers';
import type { HttpRequest } from '../client/http-request';
import type { HttpInterceptor } from '../client/interceptor';
import type { TokenPlacement } from './auth-options';
import type { AuthSession } from './auth-session';
import { currentPage, originOf } from './token-origins';

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
  const authorize = authLayer(session, undefined);
  return (req, next) => authorize(req, next);
}

/**
 * The auth layer around `send`, whatever `send` emits: the client reads the body inside it, so a
 * request parked on a refresh holds no operator for that yet.
 */
export type AuthLayer = <R>(req: HttpRequest, send: (req: HttpRequest) => Observable<R>) => Observable<R>;

/** {@link authInterceptor}'s layer, letting the client's own origin (its `baseUrl`'s) receive the token too. */
export function authLayer(session: AuthSession, clientOrigin: string | undefined): AuthLayer {
  const ownPrefix = clientOrigin === undefined || clientOrigin === 'null' ? undefined : `${clientOrigin}/`;
  // The prefix settles the common case (a URL under the client's baseUrl) without parsing: the
  // parser gives every URL that starts with "<origin>/" that origin (spec/auth/token-origins.property.spec.ts).
  const mayReceiveToken = (url: string) =>
    (ownPrefix !== undefined && url.startsWith(ownPrefix)) ||
    session.mayReceiveToken(url) ||
    (ownPrefix !== undefined && originOf(url, currentPage()) === clientOrigin);
  const attach = tokenWriter(session.tokenPlacement);
  return (req, send) => {
    // Deferred like `authorize`, so whatever `send` does (the interceptors after this) runs on subscribe.
    if (!req.auth || !mayReceiveToken(req.url)) return defer(() => send(req));
    return session.authorize((token) => send(token === null ? req : attach(req, token)));
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
  // The header value changes only when the token does: one string per token, not per request.
  let lastToken = '';
  let value = '';
  return (req, token) => {
    if (token !== lastToken) {
      lastToken = token;
      value = prefix + token;
    }
    return { ...req, headers: withHeader(req.headers, header, value) };
  };
}
