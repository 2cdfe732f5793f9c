import { defer, EMPTY, Observable } from 'rxjs';
import { map } from 'rxjs/operators';
import type { AuthEvent } from './auth/auth-events';
import { clientAuthInterceptor } from './auth/auth-interceptor';
import { createAuthSession, isAuthSession, type AuthSession } from './auth/auth-session';
import { buildRequest } from './build-request';
import { resolveClientOptions, type HttpClientOptions } from './client-options';
import type { HttpRequestInit } from './http-request';
import type { HttpResponse } from './http-response';
import { chainInterceptors } from './interceptor';
import { retryInterceptor } from './retry/retry-interceptor';
import { ajaxTransport } from './transport/ajax-transport';

/** Per-request options of the verb methods: everything but the method, URL and body. */
export type HttpRequestOptions = Omit<HttpRequestInit, 'method' | 'url' | 'body'>;

/**
 * Sends requests as cold Observables: nothing goes out before subscribe, each subscription sends
 * anew, unsubscribing aborts. The verb methods emit the parsed body; `request` and `head` emit the
 * whole {@link HttpResponse}.
 */
export interface HttpClient {
  /** Sends any request and emits the whole response. */
  request<T = unknown>(init: HttpRequestInit): Observable<HttpResponse<T>>;
  get<T = unknown>(url: string, options?: HttpRequestOptions): Observable<T>;
  delete<T = unknown>(url: string, options?: HttpRequestOptions): Observable<T>;
  /** Emits the whole response: a HEAD answer has headers and no body. */
  head(url: string, options?: HttpRequestOptions): Observable<HttpResponse<null>>;
  post<T = unknown>(url: string, body?: unknown, options?: HttpRequestOptions): Observable<T>;
  put<T = unknown>(url: string, body?: unknown, options?: HttpRequestOptions): Observable<T>;
  patch<T = unknown>(url: string, body?: unknown, options?: HttpRequestOptions): Observable<T>;
  /** Refresh and session events (empty without `auth`). */
  readonly authEvents$: Observable<AuthEvent>;
  /** The client's own auth session (its store, `logout()`), or null without `auth`. */
  readonly auth: AuthSession | null;
}

/**
 * Creates a client. With `auth`, each request carries the current access token and concurrent
 * 401s share a single refresh. Each client has its own tokens and refresh, unless several are
 * given the same {@link AuthSession}.
 *
 * @example
 * ```ts
 * const client = createHttpClient({
 *   baseUrl: 'https://api.example.com',
 *   auth: { store: new MemoryTokenStore(tokens), refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/token' }) },
 * });
 * client.get<User>('/me').subscribe((user) => console.log(user.name));
 * ```
 */
export function createHttpClient(options?: HttpClientOptions): HttpClient {
  const resolved = resolveClientOptions(options);
  const auth = resolved.auth && (isAuthSession(resolved.auth) ? resolved.auth : createAuthSession(resolved.auth));
  const clientOrigin = resolved.baseUrl === null ? undefined : new URL(resolved.baseUrl).origin;
  // Auth outermost, so it wraps every retry (one refresh at most per request); retry next, so the
  // caller's interceptors run again for each attempt on the network.
  const interceptors = [...(auth ? [clientAuthInterceptor(auth, clientOrigin)] : []), retryInterceptor(), ...resolved.interceptors];
  const handle = chainInterceptors(interceptors, ajaxTransport(resolved));

  const request = <T>(init: HttpRequestInit): Observable<HttpResponse<T>> =>
    defer(() => handle(buildRequest(init, resolved))) as Observable<HttpResponse<T>>;
  const body = <T>(init: HttpRequestInit): Observable<T> => request<T>(init).pipe(map((response) => response.body));

  return {
    request,
    get: (url, opts) => body({ ...opts, url, method: 'GET' }),
    delete: (url, opts) => body({ ...opts, url, method: 'DELETE' }),
    head: (url, opts) => request<null>({ ...opts, url, method: 'HEAD', responseType: 'text' }).pipe(map((response) => ({ ...response, body: null }))),
    post: (url, payload, opts) => body({ ...opts, url, method: 'POST', body: payload }),
    put: (url, payload, opts) => body({ ...opts, url, method: 'PUT', body: payload }),
    patch: (url, payload, opts) => body({ ...opts, url, method: 'PATCH', body: payload }),
    authEvents$: auth ? auth.events$ : EMPTY,
    auth,
  };
}
