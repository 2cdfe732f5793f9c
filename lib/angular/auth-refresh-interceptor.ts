import type { HttpInterceptorFn, HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import type { TokenPlacement } from '../index';
import { AUTH_SESSION } from './auth-session-token';
import { SKIP_AUTH } from './skip-auth';

/**
 * The functional interceptor that gives HttpClient the session's token and single-flight refresh:
 * it attaches the access token, and when the answer is a `refreshOn` status (an
 * `HttpErrorResponse` with status 401 by default) it waits for one refresh shared by every
 * request of the app and retries once. Needs {@link provideAuthRefresh} in the same injector.
 *
 * Requests with {@link SKIP_AUTH}, and requests to origins the session may not send a token to
 * (see `allowedOrigins`), pass through untouched. Put it first in `withInterceptors` so the
 * interceptors after it run again, with the new token, on the retry.
 *
 * @example
 * ```ts
 * import { provideHttpClient, withInterceptors } from '@angular/common/http';
 * import type { ApplicationConfig } from '@angular/core';
 * import { MemoryTokenStore, oauth2Refresh } from 'rxjs-auth-http';
 * import { authRefreshInterceptor, provideAuthRefresh } from 'rxjs-auth-http/angular';
 *
 * export const appConfig: ApplicationConfig = {
 *   providers: [
 *     provideHttpClient(withInterceptors([authRefreshInterceptor])),
 *     provideAuthRefresh({
 *       store: new MemoryTokenStore(),
 *       refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'web' }),
 *       allowedOrigins: ['https://api.example.com'],
 *     }),
 *   ],
 * };
 * ```
 */
export const authRefreshInterceptor: HttpInterceptorFn = (req, next) => {
  if (req.context.get(SKIP_AUTH)) return next(req);
  const session = inject(AUTH_SESSION, { optional: true });
  if (session === null) throw new Error('authRefreshInterceptor needs provideAuthRefresh(...) among the providers next to provideHttpClient(...)');
  if (!session.mayReceiveToken(req.url)) return next(req);
  return session.authorize((token) => next(token === null ? req : withAngularToken(req, token, session.tokenPlacement)));
};

// The Angular twin of the core's `withToken`: a clone, never an edit, of the immutable request.
function withAngularToken(req: HttpRequest<unknown>, token: string, placement: TokenPlacement): HttpRequest<unknown> {
  if ('queryParam' in placement) return req.clone({ setParams: { [placement.queryParam]: token } });
  return req.clone({ setHeaders: { [placement.header]: placement.scheme ? `${placement.scheme} ${token}` : token } });
}
