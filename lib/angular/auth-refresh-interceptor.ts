import type { HttpEvent, HttpHandlerFn, HttpInterceptorFn, HttpRequest } from '@angular/common/http';
import { EnvironmentInjector, inject, runInInjectionContext } from '@angular/core';
import { throwError, type Observable } from 'rxjs';
import type { AuthOptions, AuthSession, TokenPlacement } from '../index';
import { AUTH_SESSION } from './auth-session-token';
import { angularPage } from './page-location';
import { angularSession } from './provide-auth-refresh';
import { claimForThisApp, sharedAcrossApps } from './server-render-guard';
import { SKIP_AUTH } from './skip-auth';

/**
 * The functional interceptor that gives HttpClient the session's token and single-flight refresh:
 * it attaches the access token, and when the answer is a `refreshOn` status (an
 * `HttpErrorResponse` with status 401 by default) it waits for one refresh shared by every
 * request of the app and retries once. It uses the session of {@link provideAuthRefresh} in the
 * same injector, which is then injectable too ({@link AUTH_SESSION}, {@link AUTH_EVENTS}); for a
 * self-contained set-up without a provider, see {@link createAuthRefreshInterceptor}.
 *
 * On the server (Angular SSR), a session or store used by two app instances fails their requests
 * with {@link SharedAcrossAppsError}: it would carry one user's token into another user's page.
 *
 * Requests with {@link SKIP_AUTH}, and requests to origins the session may not send a token to
 * (see `allowedOrigins`), pass through untouched. Put it first in `withInterceptors` so the
 * interceptors after it run again, with the new token, on the retry. With `auth.dpop` it signs each
 * attempt with a fresh DPoP proof and answers a nonce challenge once, as the client does.
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
 *     // A factory: one store per app instance, as server-side rendering needs (one app per request).
 *     provideAuthRefresh(() => ({
 *       store: new MemoryTokenStore(),
 *       refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'web' }),
 *       allowedOrigins: ['https://api.example.com'],
 *     })),
 *   ],
 * };
 * ```
 */
export function authRefreshInterceptor(req: HttpRequest<unknown>, next: HttpHandlerFn): Observable<HttpEvent<unknown>> {
  return intercept(req, next, providedSession);
}

/**
 * Creates a self-contained {@link authRefreshInterceptor}: it keeps one session per injector
 * itself, from `options` (or a factory of them, run once per app instance in an injection
 * context, as server-side rendering needs), so no {@link provideAuthRefresh} is needed. Its
 * session's events are not injectable; use the provider when the app needs them.
 *
 * @example
 * ```ts
 * import { provideHttpClient, withInterceptors } from '@angular/common/http';
 * import type { ApplicationConfig } from '@angular/core';
 * import { oauth2Refresh } from 'rxjs-auth-http';
 * import { createAuthRefreshInterceptor } from 'rxjs-auth-http/angular';
 *
 * export const appConfig: ApplicationConfig = {
 *   providers: [
 *     provideHttpClient(
 *       withInterceptors([
 *         createAuthRefreshInterceptor({
 *           refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/oauth/token' }),
 *         }),
 *       ]),
 *     ),
 *   ],
 * };
 * ```
 */
export function createAuthRefreshInterceptor(options: AuthOptions | (() => AuthOptions)): HttpInterceptorFn {
  // One session per injector, so every HttpClient call of one app shares one refresh.
  const sessions = new WeakMap<EnvironmentInjector, AuthSession>();
  const ownSession = (): AuthSession => {
    const injector = inject(EnvironmentInjector);
    let session = sessions.get(injector);
    if (session === undefined)
      sessions.set(injector, (session = runInInjectionContext(injector, () => angularSession(injector, options))));
    return session;
  };
  return (req, next) => intercept(req, next, ownSession);
}

function providedSession(): AuthSession {
  const session = inject(AUTH_SESSION, { optional: true });
  if (session === null)
    throw new Error(
      'authRefreshInterceptor needs provideAuthRefresh(...) next to provideHttpClient(...), ' +
        'or createAuthRefreshInterceptor({ refresh }) in its place',
    );
  return session;
}

function intercept(
  req: HttpRequest<unknown>,
  next: HttpHandlerFn,
  sessionFor: () => AuthSession,
): Observable<HttpEvent<unknown>> {
  if (req.context.get(SKIP_AUTH)) return next(req);
  const session = sessionFor();
  // urlWithParams: what the backend sends, and so what the platform resolves.
  const page = angularPage();
  if (!session.mayReceiveToken(req.urlWithParams, page)) return next(req);
  // A proof names the absolute URI; on the server only the rendered page can make one of a path.
  const target = page ? new URL(req.urlWithParams, page.baseUrl).href : req.urlWithParams;
  const onServer = claimForThisApp(session, session.store);
  const { dpop } = session;
  return session.authorize((token) => {
    // The browser-bundle check of server-render-guard.ts, so that a browser bundle drops the refusal.
    const browserBundle = typeof ngServerMode !== 'undefined' && !ngServerMode;
    const refusal = onServer && !browserBundle ? sharedAcrossApps(session) : undefined;
    if (refusal !== undefined) return throwError(() => refusal);
    if (token === null) return next(req);
    const authorized = withAngularToken(req, token, session.tokenPlacement);
    // With DPoP, each attempt (the retry after a refresh or a nonce challenge too) gets its own proof.
    return dpop
      ? dpop.signed(req.method, target, token, (proof) => next(authorized.clone({ setHeaders: { DPoP: proof } })))
      : next(authorized);
  });
}

// The Angular twin of the core's `withToken`: a clone, never an edit, of the immutable request.
function withAngularToken(req: HttpRequest<unknown>, token: string, placement: TokenPlacement): HttpRequest<unknown> {
  if ('queryParam' in placement) return req.clone({ setParams: { [placement.queryParam]: token } });
  return req.clone({ setHeaders: { [placement.header]: placement.scheme ? `${placement.scheme} ${token}` : token } });
}
