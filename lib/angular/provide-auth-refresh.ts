import {
  ENVIRONMENT_INITIALIZER,
  EnvironmentInjector,
  inject,
  makeEnvironmentProviders,
  runInInjectionContext,
  type EnvironmentProviders,
} from '@angular/core';
import { HttpBackend } from '@angular/common/http';
import { createAuthSession, withTokenTransport, type AuthOptions, type AuthSession } from '../index';
import { backendTokenTransport } from './backend-token-transport';
import { AUTH_EVENTS } from './auth-events-token';
import { AUTH_SESSION } from './auth-session-token';
import { claimForThisApp } from './server-render-guard';

/**
 * Gives the app one {@link AuthSession} for {@link authRefreshInterceptor}, injectable as
 * {@link AUTH_SESSION} (to log out) and {@link AUTH_EVENTS}. Add it once, next to
 * `provideHttpClient(withInterceptors([authRefreshInterceptor]))`, in the application's providers:
 * every HttpClient call of the app then shares one refresh. A second call in a lazy route's
 * providers would start a second, independent session.
 *
 * `options` are the core's {@link AuthOptions}, or a function returning them that runs in an
 * injection context (so it may `inject()` the store or a service). `refresh` itself also runs in
 * an injection context each time, so it may `inject(HttpClient)`. Requests it makes must carry
 * {@link SKIP_AUTH}: a refresh whose own request waits for that refresh can only time out.
 * An `oauth2Refresh` or `oauth2Revoke` without a `transport` of its own sends through Angular's
 * `HttpBackend` (past the interceptors), so `withFetch()` and `provideHttpClientTesting()` apply.
 * Unless `isRefreshRejected` is given, an `invalid_grant` from the token endpoint (or a 400, 401 or
 * 403 without an OAuth `error` code), as Angular's `HttpErrorResponse` or the core's `HttpError`,
 * ends the session (store cleared, `session-expired`).
 *
 * @example
 * ```ts
 * import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
 * import { inject, type ApplicationConfig } from '@angular/core';
 * import { map } from 'rxjs';
 * import { authRefreshInterceptor, provideAuthRefresh, skipAuth } from 'rxjs-auth-http/angular';
 *
 * export const appConfig: ApplicationConfig = {
 *   providers: [
 *     provideHttpClient(withInterceptors([authRefreshInterceptor])),
 *     provideAuthRefresh({
 *       refresh: (tokens) =>
 *         inject(HttpClient)
 *           .post<{ access_token: string }>(
 *             '/oauth/token',
 *             { refresh_token: tokens.refreshToken },
 *             { context: skipAuth() },
 *           )
 *           .pipe(map((answer) => ({ accessToken: answer.access_token }))),
 *     }),
 *   ],
 * };
 * ```
 */
export function provideAuthRefresh(options: AuthOptions | (() => AuthOptions)): EnvironmentProviders {
  return makeEnvironmentProviders([
    // A factory runs once per injector that holds this provider: one session, hence one refresh, per app.
    { provide: AUTH_SESSION, useFactory: () => angularSession(inject(EnvironmentInjector), options) },
    { provide: AUTH_EVENTS, useFactory: () => inject(AUTH_SESSION).events$ },
    // A store in plain options is one object for every app instance: on the server, claim it as the
    // app starts, before an app initializer writes its user's tokens into it under another render.
    // ENVIRONMENT_INITIALIZER rather than provideEnvironmentInitializer (Angular 19+): the peer range starts at 16.
    {
      provide: ENVIRONMENT_INITIALIZER,
      multi: true,
      useValue: () => {
        if (typeof options !== 'function' && options?.store) claimForThisApp(options.store);
      },
    },
  ]);
}

/**
 * A session whose `refresh` runs in `injector`'s injection context. (The core's default
 * `isRefreshRejected` reads the status of Angular's HttpErrorResponse as well.) Call it in an
 * injection context: an options factory may inject.
 */
export function angularSession(injector: EnvironmentInjector, options: AuthOptions | (() => AuthOptions)): AuthSession {
  const given = typeof options === 'function' ? options() : options;
  if (typeof given?.refresh !== 'function') return createAuthSession(given); // lets the core report the bad option
  // The token requests go where the app's requests go: through its HttpBackend.
  const resolved = withTokenTransport(
    given,
    backendTokenTransport(() => injector.get(HttpBackend)),
  );
  const { refresh } = resolved;
  const session = createAuthSession({
    ...resolved,
    // The core calls `refresh` from a subscription, outside any injection context: restore ours.
    refresh: (tokens, context) => runInInjectionContext(injector, () => refresh(tokens, context)),
  });
  // On the server, as soon as it exists: a factory may have just written a user's tokens into it.
  claimForThisApp(session, session.store);
  return session;
}
