/**
 * An HTTP client of RxJS Observables whose access-token refresh stays correct under concurrency,
 * and the single-flight refresh on its own for any Observable transport.
 *
 * @module rxjs-auth-http
 */

// The public entry. Named exports only, so bundlers drop what an app does not use. Internals
// (the transport, request building, option resolution) stay out: they may change freely.
export { createHttpClient } from './client/http-client';
export type { HttpClient, HttpRequestOptions } from './client/http-client';
export type { HttpClientOptions } from './client/client-options';
export type { HttpRequest, HttpRequestInit, QueryValue, ResponseType } from './client/http-request';
export type { HttpResponse } from './client/http-response';
export { chainInterceptors } from './client/interceptor';
export type { HttpHandler, HttpInterceptor } from './client/interceptor';
export type { HttpTransport, TransportSettings } from './transport/http-transport';

export { createAuthSession } from './auth/auth-session';
export type { AuthSession } from './auth/auth-session';
export type { PageLocation } from './auth/token-origins';
export { authInterceptor, withToken } from './auth/auth-interceptor';
export type { AuthOptions, RefreshContext, TokenPlacement } from './auth/auth-options';
export type { AuthEvent } from './auth/auth-events';
export { MemoryTokenStore } from './auth/token-store';
export type { AuthTokens, TokenStore } from './auth/token-store';
export type { RefreshLock, RefreshLockLimits, SessionEnd } from './auth/refresh-lock';
export { oauth2Refresh } from './oauth/oauth2-refresh';
export type { OAuth2RefreshOptions } from './oauth/oauth2-refresh';
export { oauth2Revoke } from './oauth/oauth2-revoke';
export type { OAuth2RevokeOptions } from './oauth/oauth2-revoke';
export type { ClientAuthMethod, OAuth2ClientOptions } from './oauth/oauth2-endpoint';
export { withTokenTransport } from './oauth/with-token-transport';

export { AuthHttpError } from './errors/auth-http-error';
export { RequestError } from './errors/request-error';
export { HttpError } from './errors/http-error';
export { NetworkError } from './errors/network-error';
export { RequestTimeoutError } from './errors/request-timeout-error';
export { ResponseParseError } from './errors/response-parse-error';
export { InvalidRequestError } from './errors/invalid-request-error';
export { TokenStoreError } from './errors/token-store-error';
export { AuthRefreshError } from './errors/auth-refresh-error';
export type { AuthRefreshFailureReason } from './errors/auth-refresh-error';
export { RefreshLockError } from './errors/refresh-lock-error';
export type { RefreshLockFailureReason } from './errors/refresh-lock-error';
export { RefreshStormError } from './errors/refresh-storm-error';
export type { RequestSummary } from './errors/redact';

// The retry interceptor itself is left out: every client installs it, and each request carries
// its settings in `retry`. The operator serves any other Observable (say, inside `authorize`).
export { retryWithBackoff } from './retry/retry-with-backoff';
export type { ResolvedRetryOptions, RetryOptions } from './retry/retry-options';
