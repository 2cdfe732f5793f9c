import type { AuthOptions } from '../auth/auth-options';
import type { AuthSession } from '../auth/auth-session';
import { redactUrl } from '../errors/redact';
import { withHeaders } from '../headers';
import type { HttpInterceptor } from './interceptor';
import { resolveRetryOptions, type ResolvedRetryOptions, type RetryOptions } from '../retry/retry-options';
import { fallbackXHR } from '../transport/fallback-xhr';
import type { HttpTransport } from '../transport/http-transport';
import { checkMilliseconds, checkTransport } from '../option-checks';

/**
 * How a client is set up. Every field is optional.
 *
 * @example
 * ```ts
 * const options: HttpClientOptions = {
 *   baseUrl: 'https://api.example.com/v1',
 *   timeout: 10_000,
 *   headers: { accept: 'application/json' },
 * };
 * ```
 */
export interface HttpClientOptions {
  /**
   * Prefix for relative URLs: `get('/users')` with `https://api.example.com/v1` asks for
   * `https://api.example.com/v1/users`.
   */
  baseUrl?: string;
  /** Headers sent with every request; a request's own headers win. */
  headers?: Readonly<Record<string, string>>;
  /** Deadline for each attempt in ms; default 30 000, `0` for none. */
  timeout?: number;
  /**
   * Limit in ms on establishing a new connection (DNS lookup, TCP and TLS), on both Node
   * transports; default 10 000, `0` for none. An unreachable host then fails fast with a
   * {@link RequestTimeoutError} whose `phase` is `'connect'`, while a slow answer still gets the
   * whole `timeout`. Browsers do not expose the connect phase: there only `timeout` applies.
   */
  connectTimeout?: number;
  /**
   * Run in order around each attempt, the first outermost (inside the auth and retry layers, so
   * once per attempt on the network).
   */
  interceptors?: readonly HttpInterceptor[];
  /**
   * Turns on tokens and single-flight refresh: options for the client's own session, or a session
   * from {@link createAuthSession} to share one store and one refresh between several clients.
   */
  auth?: AuthOptions | AuthSession;
  /** Makes the XMLHttpRequest of the default transport; default the browser's own, or xhr2 in Node. */
  createXHR?: () => XMLHttpRequest;
  /**
   * How attempts reach the network; default rxjs/ajax over the XMLHttpRequest from `createXHR`.
   * In Node, `nodeHttpTransport()` from `rxjs-auth-http/node` sends with node:http instead.
   */
  transport?: HttpTransport;
  /**
   * Retrying of transient failures (network errors, 408, 429, 5xx gateway errors). Default: two
   * retries with jittered backoff, for GET, HEAD, OPTIONS, PUT and DELETE only. A number sets the
   * limit, `false` turns it off; each request may override it.
   */
  retry?: RetryOptions | number | false;
}

/** {@link HttpClientOptions} checked and completed: nothing here is optional. */
export interface ResolvedClientOptions {
  readonly baseUrl: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeout: number;
  readonly connectTimeout: number;
  readonly interceptors: readonly HttpInterceptor[];
  readonly auth: AuthOptions | AuthSession | null;
  readonly createXHR: () => XMLHttpRequest;
  /** The transport given, or null for rxjs/ajax over `createXHR`. */
  readonly transport: HttpTransport | null;
  readonly retry: ResolvedRetryOptions;
  /** True when the XHR is the browser's own; xhr2 needs bodies encoded for it. */
  readonly nativeXhr: boolean;
  /** Query parameters that errors must hide: the token's, when it travels in the URL. */
  readonly secretParams: ReadonlySet<string>;
}

/** Checks and completes client options once. Throws a TypeError on bad input. */
export function resolveClientOptions(options: HttpClientOptions = {}): ResolvedClientOptions {
  const nativeXhr = typeof XMLHttpRequest === 'function';
  return {
    baseUrl: options.baseUrl === undefined ? null : checkBaseUrl(options.baseUrl),
    headers: withHeaders({}, options.headers ?? {}),
    timeout: checkMilliseconds('timeout', options.timeout ?? 30_000),
    connectTimeout: checkMilliseconds('connectTimeout', options.connectTimeout ?? 10_000),
    interceptors: checkInterceptors(options.interceptors ?? []),
    auth: options.auth ?? null,
    createXHR: options.createXHR ?? (nativeXhr ? () => new XMLHttpRequest() : fallbackXHR),
    transport: checkTransport(options.transport, options.createXHR) ?? null,
    retry: resolveRetryOptions(options.retry),
    nativeXhr,
    secretParams: new Set(tokenParam(options.auth)),
  };
}

function tokenParam(auth: AuthOptions | AuthSession | undefined): string[] {
  const placement = auth?.tokenPlacement;
  return placement && 'queryParam' in placement ? [placement.queryParam] : [];
}

function checkBaseUrl(baseUrl: string): string {
  try {
    return new URL(baseUrl).href;
  } catch {
    throw new TypeError(
      `baseUrl "${redactUrl(String(baseUrl))}" is not an absolute URL such as https://api.example.com`,
    );
  }
}

function checkInterceptors(interceptors: readonly HttpInterceptor[]): readonly HttpInterceptor[] {
  const given: unknown = interceptors; // checked as the unknown it may be at run time
  if (!Array.isArray(given) || !given.every((interceptor) => typeof interceptor === 'function')) {
    throw new TypeError('interceptors must be an array of functions (req, next) => Observable');
  }
  return interceptors;
}
