import type { HttpHandler } from '../client/interceptor';

/** What a client tells the transport it builds its last handler from. */
export interface TransportSettings {
  /**
   * Query parameters the transport's errors must hide besides the secret-looking ones: the
   * token's, when it travels in the URL.
   */
  readonly secretParams: ReadonlySet<string>;
  /** Limit in ms on establishing a new connection (Node), the client's `connectTimeout`; 0 for none. */
  readonly connectTimeout: number;
}

/**
 * How a client's attempts reach the network: makes the last handler of its chain, which sends one
 * attempt per subscription, aborts it on unsubscribe, and ends with an {@link HttpResponse} (2xx)
 * or one of this library's errors ({@link HttpError}, {@link NetworkError},
 * {@link RequestTimeoutError}, {@link ResponseParseError}, {@link InvalidRequestError}). The
 * default sends with rxjs/ajax; `nodeHttpTransport()` from `rxjs-auth-http/node` with node:http.
 *
 * @example
 * ```ts
 * import { nodeHttpTransport } from 'rxjs-auth-http/node';
 *
 * const client = createHttpClient({ baseUrl: 'https://api.example.com', transport: nodeHttpTransport() });
 * ```
 */
export type HttpTransport = (settings: TransportSettings) => HttpHandler;
