import { defer, type Observable, throwError } from 'rxjs';
import type { DPoP } from '../dpop/dpop';
import { catchError, map } from 'rxjs/operators';
import { InvalidRequestError } from '../errors/invalid-request-error';
import { redactUrl } from '../errors/redact';
import type { HttpRequest } from '../client/http-request';
import type { HttpHandler } from '../client/interceptor';
import { checkMilliseconds, checkTransport } from '../option-checks';
import type { ResolvedRetryOptions } from '../retry/retry-options';
import type { HttpTransport } from '../transport/http-transport';
import { ajaxTokenTransport } from './ajax-token-transport';
import { tokenEndpointError } from './token-endpoint-error';

/**
 * How a client proves who it is at the token endpoint, by its RFC 7591 `token_endpoint_auth_method`
 * name: `client_secret_basic` (HTTP Basic), `client_secret_post` (`client_secret` in the form) or
 * `none` (a public client: `client_id` in the form, no secret).
 *
 * @example
 * ```ts
 * const method: ClientAuthMethod = 'client_secret_post';
 * ```
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/**
 * The client and transport settings {@link oauth2Refresh} and {@link oauth2Revoke} share.
 *
 * @example
 * ```ts
 * const client: OAuth2ClientOptions = {
 *   clientId: 'reports',
 *   clientSecret: secret,
 *   clientAuthMethod: 'client_secret_post',
 * };
 * ```
 */
export interface OAuth2ClientOptions {
  /** The client's `client_id`. */
  clientId?: string;
  /** A confidential client's secret. */
  clientSecret?: string;
  /** Default `client_secret_basic` with a `clientSecret`, else `none`. */
  clientAuthMethod?: ClientAuthMethod;
  /** Deadline for each request in ms; default 30 000, `0` for none. */
  timeout?: number;
  /**
   * Makes the XMLHttpRequest when the requests go over rxjs/ajax (no `transport`, and not given to
   * a client or the Angular adapter); default the browser's own, or xhr2 in Node.
   */
  createXHR?: () => XMLHttpRequest;
  /**
   * Sends the requests, such as `nodeHttpTransport()`. Default: the transport of whatever runs the
   * session (the client's own, Angular's `HttpBackend` under the Angular adapter, or the one given
   * to {@link withTokenTransport}), else rxjs/ajax.
   */
  transport?: HttpTransport;
}

/**
 * Posts one form to an OAuth 2.0 endpoint over `send`, with the client's authentication; emits the
 * parsed body, or fails with one of our errors. With `dpop`, the request carries a proof signed
 * with its existing key (the grant is bound to it).
 */
export type OAuth2Post = (
  send: HttpHandler,
  form: Readonly<Record<string, string>>,
  dpop?: DPoP | null,
) => Observable<unknown>;

// A token request is never retried by a transport: a refresh token may be spent by the first try.
const NO_RETRY: ResolvedRetryOptions = {
  limit: 0,
  methods: new Set(),
  statusCodes: new Set(),
  retryOnTimeout: false,
  baseDelayMs: 0,
  maxDelayMs: 0,
  maxRetryAfterMs: 0,
  maxElapsedMs: 0,
};

/**
 * Checks the client settings and the endpoint URL once and returns what posts to it. Throws
 * {@link InvalidRequestError} for a URL that cannot be resolved here, and a TypeError for client
 * settings that do not fit together; neither message holds the secret.
 */
export function oauth2Endpoint(what: string, url: string, options: OAuth2ClientOptions): OAuth2Post {
  checkEndpointUrl(what, url);
  const method = clientAuthMethodOf(what, options);
  const timeout = checkMilliseconds(`${what}: timeout`, options.timeout ?? 30_000);
  const { clientId = '', clientSecret = '' } = options;
  return (send, fields, dpop) =>
    defer(() => {
      const form = new URLSearchParams(fields);
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
        accept: 'application/json',
      };
      if (method === 'client_secret_basic') {
        // RFC 6749 2.3.1: both parts are form-encoded before they are joined and base64-encoded.
        headers['authorization'] = `Basic ${base64(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
      } else if (options.clientId !== undefined) {
        form.set('client_id', clientId);
        if (method === 'client_secret_post') form.set('client_secret', clientSecret);
      }
      const req: HttpRequest = {
        method: 'POST',
        // Resolved when sent: a page-relative URL follows the page, as a link would.
        url: new URL(url, globalThis.location?.href).href,
        headers,
        body: form.toString(),
        responseType: 'json',
        timeout,
        auth: false,
        retry: NO_RETRY,
      };
      return (dpop ? dpop.sendToTokenEndpoint(req, send, false) : send(req)).pipe(
        map((response) => response.body),
        catchError((error: unknown) => throwError(() => tokenEndpointError(error, req))),
      );
    });
}

/**
 * The sender the options pin the token requests to (`transport`, or rxjs/ajax over `createXHR`),
 * checked; null when they name none, and the requests follow whatever runs the session.
 */
export function ownTransport(options: OAuth2ClientOptions): HttpHandler | null {
  const transport = checkTransport(options.transport, options.createXHR);
  if (transport) return transport({ secretParams: new Set(), connectTimeout: 10_000 });
  return options.createXHR ? ajaxTokenTransport(options.createXHR) : null;
}

function clientAuthMethodOf(what: string, options: OAuth2ClientOptions): ClientAuthMethod {
  const method = options.clientAuthMethod ?? (options.clientSecret !== undefined ? 'client_secret_basic' : 'none');
  if (method !== 'client_secret_basic' && method !== 'client_secret_post' && method !== 'none') {
    throw new TypeError(`${what}: clientAuthMethod must be client_secret_basic, client_secret_post or none`);
  }
  if (method === 'none' && options.clientSecret !== undefined) {
    throw new TypeError(`${what}: clientAuthMethod none is for a public client, which has no clientSecret`);
  }
  if (method !== 'none' && (options.clientId === undefined || options.clientSecret === undefined)) {
    throw new TypeError(`${what}: clientAuthMethod ${method} needs clientId and clientSecret`);
  }
  return method;
}

// A page-relative URL is fine in a browser; in Node there is no page to resolve it against, and
// the URL parser's bare "Invalid URL" would not say which option is wrong.
function checkEndpointUrl(what: string, url: string): void {
  try {
    new URL(url, globalThis.location?.href);
  } catch (cause) {
    const where = globalThis.location
      ? ''
      : ' (outside a browser it must be absolute, such as https://auth.example.com/token)';
    throw new InvalidRequestError(`${what}: "${redactUrl(String(url))}" is not a usable URL${where}`, undefined, {
      cause,
    });
  }
}

function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return btoa(String.fromCharCode(...bytes));
}
