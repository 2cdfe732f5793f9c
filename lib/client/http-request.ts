import type { ResolvedRetryOptions, RetryOptions } from '../retry/retry-options';

/** How the response body is decoded. */
export type ResponseType = 'json' | 'text' | 'blob' | 'arraybuffer';

/** A query parameter value; arrays repeat the name, `null` and `undefined` are left out. */
export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>;

/** What a caller passes to describe a request. Only `url` is required. */
export interface HttpRequestInit {
  /** HTTP method; default `GET`. */
  method?: string;
  /** Absolute, or relative to the client's `baseUrl` (in a browser, to the page). */
  url: string;
  /** Query parameters appended to the URL. */
  params?: Readonly<Record<string, QueryValue>> | URLSearchParams;
  /** Request headers; merged over the client's default headers. */
  headers?: Readonly<Record<string, string>>;
  /**
   * A string, FormData, URLSearchParams, Blob, ArrayBuffer or typed array is sent as it is; any
   * other object is sent as JSON.
   */
  body?: unknown;
  /** Default `json`: JSON bodies are parsed, an empty body gives `null`. */
  responseType?: ResponseType;
  /** Deadline for each attempt in ms; overrides the client's. `0` turns it off. */
  timeout?: number;
  /** `false` sends no token and never refreshes (login endpoints, the refresh call itself). */
  auth?: boolean;
  /**
   * Retrying of transient failures for this request; overrides the client's. A number sets the
   * limit, `false` turns it off.
   */
  retry?: RetryOptions | number | false;
}

/**
 * A request as interceptors and the transport see it: resolved, immutable, complete.
 * Derive a changed copy instead of editing it: `next({ ...req, headers: { ...req.headers, 'x-id': id } })`.
 */
export interface HttpRequest {
  readonly method: string;
  /** Absolute URL with the query parameters applied. */
  readonly url: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly responseType: ResponseType;
  /** Deadline for the attempt in ms; `0` means none. */
  readonly timeout: number;
  /** Whether the auth layer may attach a token and refresh on failure. */
  readonly auth: boolean;
  /** How transient failures of this request are retried (`limit: 0` when they are not). */
  readonly retry: ResolvedRetryOptions;
}
