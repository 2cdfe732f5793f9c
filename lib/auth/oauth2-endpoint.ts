import type { Observable } from 'rxjs';
import type { DPoP } from '../dpop/dpop';
import { map } from 'rxjs/operators';
import { buildRequest } from '../build-request';
import { resolveClientOptions } from '../client-options';
import { InvalidRequestError } from '../errors/invalid-request-error';
import { redactUrl } from '../errors/redact';
import { ajaxTransport } from '../transport/ajax-transport';
import type { HttpTransport } from '../transport/http-transport';

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
  /** Deadline for each request in ms; default 30 000. */
  timeout?: number;
  /** Makes the XMLHttpRequest of the default transport; default the browser's own, or xhr2 in Node. */
  createXHR?: () => XMLHttpRequest;
  /**
   * Sends the requests, such as `nodeHttpTransport()`. Default: the transport of the client the
   * function is given to, else rxjs/ajax.
   */
  transport?: HttpTransport;
}

/**
 * Posts one form to an OAuth 2.0 endpoint with the client's authentication; emits the parsed body.
 * With `dpop`, the request carries a proof signed with its existing key (the grant is bound to it).
 */
export type OAuth2Post = (form: Readonly<Record<string, string>>, dpop?: DPoP | null) => Observable<unknown>;

/**
 * Checks the client settings and the endpoint URL once and returns what posts to it. Throws
 * {@link InvalidRequestError} for a URL that cannot be resolved here, and a TypeError for client
 * settings that do not fit together; neither message holds the secret.
 */
export function oauth2Endpoint(what: string, url: string, options: OAuth2ClientOptions): OAuth2Post {
  checkEndpointUrl(what, url);
  const method = clientAuthMethodOf(what, options);
  const resolved = resolveClientOptions({
    timeout: options.timeout,
    createXHR: options.createXHR,
    transport: options.transport,
  });
  const send = resolved.transport
    ? resolved.transport({ secretParams: new Set(), connectTimeout: resolved.connectTimeout })
    : ajaxTransport(resolved);
  return (fields, dpop) => {
    const form = new URLSearchParams(fields);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
      accept: 'application/json',
    };
    const { clientId = '', clientSecret = '' } = options;
    if (method === 'client_secret_basic') {
      // RFC 6749 2.3.1: both parts are form-encoded before they are joined and base64-encoded.
      headers['authorization'] = `Basic ${base64(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
    } else if (options.clientId !== undefined) {
      form.set('client_id', clientId);
      if (method === 'client_secret_post') form.set('client_secret', clientSecret);
    }
    const request = buildRequest({ method: 'POST', url, headers, body: form.toString(), auth: false }, resolved);
    return (dpop ? dpop.sendToTokenEndpoint(request, send, false) : send(request)).pipe(
      map((response) => response.body),
    );
  };
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
