/**
 * The Angular adapter: the same single-flight refresh for Angular's HttpClient.
 *
 * @module rxjs-auth-http/angular
 */

// The Angular entry, `rxjs-auth-http/angular`. It reaches the core only through '../index', which
// the build turns into an import of 'rxjs-auth-http': the app then holds one copy of the core, so
// `instanceof AuthRefreshError` holds whichever entry the error came through.
export { authRefreshInterceptor, createAuthRefreshInterceptor } from './auth-refresh-interceptor';
export { provideAuthRefresh } from './provide-auth-refresh';
export { SKIP_AUTH, skipAuth } from './skip-auth';
export { AUTH_SESSION } from './auth-session-token';
export { AUTH_EVENTS } from './auth-events-token';
export { SharedAcrossAppsError } from './shared-across-apps-error';
