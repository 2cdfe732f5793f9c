import { defer, EMPTY, type Observable, throwError } from 'rxjs';
import { map } from 'rxjs/operators';
import type { AuthEvent } from '../auth/auth-events';
import { authLayer, type AuthLayer } from '../auth/auth-interceptor';
import { createAuthSession, isAuthSession, type AuthSession } from '../auth/auth-session';
import { withTokenTransport } from '../oauth/with-token-transport';
import { buildRequest } from './build-request';
import { resolveClientOptions, type HttpClientOptions } from './client-options';
import type { HttpRequest, HttpRequestInit } from './http-request';
import type { HttpResponse } from './http-response';
import { chainInterceptors } from './interceptor';
import { retryInterceptor } from '../retry/retry-with-backoff';
import { ajaxTransport } from '../transport/ajax-transport';

// One operator for every request, rather than a new `map` per request.
const readBodyOf = map(<T>(response: HttpResponse<T>): T => response.body);

// Every verb's init has this one shape, whatever options the caller passed: V8 gives an object that
// was spread and then extended (`{ ...opts, url, method }`) a new hidden class per call, which
// makes buildRequest's reads megamorphic.
function verbInit(
  method: string,
  url: string,
  body: unknown,
  opts: HttpRequestOptions | undefined,
  responseType = opts?.responseType,
): HttpRequestInit {
  return {
    method,
    url,
    body,
    params: opts?.params,
    headers: opts?.headers,
    responseType,
    timeout: opts?.timeout,
    auth: opts?.auth,
    retry: opts?.retry,
  };
}

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
 *   auth: {
 *     store: new MemoryTokenStore(tokens),
 *     refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/token' }),
 *   },
 * });
 * client.get<User>('/me').subscribe((user) => console.log(user.name));
 * ```
 */
export function createHttpClient(options?: HttpClientOptions): HttpClient {
  const resolved = resolveClientOptions(options);
  const transport = resolved.transport
    ? resolved.transport({ secretParams: resolved.secretParams, connectTimeout: resolved.connectTimeout })
    : ajaxTransport(resolved);
  // The token requests of its own session go over its transport, not a second HTTP client.
  const auth =
    resolved.auth &&
    (isAuthSession(resolved.auth) ? resolved.auth : createAuthSession(withTokenTransport(resolved.auth, transport)));
  const clientOrigin = resolved.baseUrl === null ? undefined : new URL(resolved.baseUrl).origin;
  // Retry first, so the caller's interceptors run again for each attempt on the network; a DPoP
  // proof is signed last, right before the network, so every retry carries a fresh one.
  const signing = auth?.dpop ? [auth.dpop.interceptor] : [];
  const handle = chainInterceptors([retryInterceptor(), ...resolved.interceptors, ...signing], transport);
  // Auth around the whole chain, so it wraps every retry (one refresh at most per request).
  const authorized: AuthLayer = auth ? authLayer(auth, clientOrigin) : (req, send) => defer(() => send(req));

  // The request is built on the call, not on subscribe: it is the same for every subscription, and
  // the layers below defer their own work (the auth layer reads the store, the chain runs the
  // interceptors, on subscribe), so one more `defer` here was an Observable per request for nothing.
  const send = <R>(init: HttpRequestInit, through: (req: HttpRequest) => Observable<R>): Observable<R> => {
    let req: HttpRequest;
    try {
      req = buildRequest(init, resolved);
    } catch (error) {
      return throwError(() => error);
    }
    return authorized(req, through);
  };
  const request = <T>(init: HttpRequestInit) => send(init, handle) as Observable<HttpResponse<T>>;
  // The body is read inside the auth layer, per attempt: a request parked while a refresh runs then
  // holds one operator fewer, and thousands may be parked.
  const readBody = (req: HttpRequest) => handle(req).pipe(readBodyOf);
  const body = <T>(init: HttpRequestInit) => send(init, readBody) as Observable<T>;

  return {
    request,
    get: (url, opts) => body(verbInit('GET', url, undefined, opts)),
    delete: (url, opts) => body(verbInit('DELETE', url, undefined, opts)),
    head: (url, opts) =>
      request<null>(verbInit('HEAD', url, undefined, opts, 'text')).pipe(
        map((response) => ({ ...response, body: null })),
      ),
    post: (url, payload, opts) => body(verbInit('POST', url, payload, opts)),
    put: (url, payload, opts) => body(verbInit('PUT', url, payload, opts)),
    patch: (url, payload, opts) => body(verbInit('PATCH', url, payload, opts)),
    authEvents$: auth ? auth.events$ : EMPTY,
    auth,
  };
}
