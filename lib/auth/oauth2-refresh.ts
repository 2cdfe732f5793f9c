import { type Observable } from 'rxjs';
import { map } from 'rxjs/operators';
import { AuthRefreshError } from '../errors/auth-refresh-error';
import { ajaxTransport } from '../transport/ajax-transport';
import { resolveClientOptions } from '../client-options';
import { buildRequest } from '../build-request';
import type { AuthTokens } from './token-store';

/**
 * Settings for the OAuth 2.0 `refresh_token` grant.
 *
 * @example
 * ```ts
 * const options: OAuth2RefreshOptions = { tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'spa', extraParams: { scope: 'api' } };
 * ```
 */
export interface OAuth2RefreshOptions {
  /** The token endpoint: absolute, or relative to the page in a browser. */
  tokenUrl: string;
  /** Sent as `client_id` in the body, or with `clientSecret` as HTTP Basic credentials. */
  clientId?: string;
  /** A confidential client's secret; sends the client credentials as HTTP Basic (RFC 6749 2.3.1). */
  clientSecret?: string;
  /** More form fields, such as `scope` or `audience`. */
  extraParams?: Readonly<Record<string, string>>;
  /** Deadline for the token request in ms; default 30 000. */
  timeout?: number;
  /** Makes the XMLHttpRequest; default the browser's own, or xhr2 in Node. */
  createXHR?: () => XMLHttpRequest;
}

/**
 * A ready `refresh` function for the OAuth 2.0 refresh_token grant (RFC 6749 section 6). It posts
 * the form straight to the transport, never through the auth layer, so it cannot refresh itself.
 * A rotated refresh token replaces the old one; when none comes back the old one is kept.
 * The endpoint's 400 `invalid_grant` or 401 arrives as an {@link HttpError}, which ends the session.
 *
 * @example
 * ```ts
 * const client = createHttpClient({
 *   baseUrl: 'https://api.example.com',
 *   auth: { store, refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'spa' }) },
 * });
 * ```
 */
export function oauth2Refresh(options: OAuth2RefreshOptions): (tokens: AuthTokens) => Observable<AuthTokens> {
  const transportOptions = resolveClientOptions({ timeout: options.timeout, createXHR: options.createXHR });
  const send = ajaxTransport(transportOptions);
  new URL(options.tokenUrl, globalThis.location?.href); // fails now, at set-up, on a bad URL (a page-relative one is fine in a browser)
  return (tokens) => {
    if (!tokens.refreshToken) throw new AuthRefreshError('rejected', new Error('there is no refresh token to refresh with'));
    const request = buildRequest(
      {
        method: 'POST',
        url: options.tokenUrl,
        headers: tokenRequestHeaders(options),
        body: tokenRequestBody(options, tokens.refreshToken),
        auth: false,
      },
      transportOptions,
    );
    return send(request).pipe(map((response) => toAuthTokens(response.body, tokens)));
  };
}

/** The headers of a token request: form content, JSON answer, Basic credentials for a confidential client. */
export function tokenRequestHeaders(options: Pick<OAuth2RefreshOptions, 'clientId' | 'clientSecret'>): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
    accept: 'application/json',
  };
  if (options.clientSecret !== undefined) {
    // RFC 6749 2.3.1: both parts are form-encoded before they are joined and base64-encoded.
    const credentials = `${formEncode(options.clientId ?? '')}:${formEncode(options.clientSecret)}`;
    headers['authorization'] = `Basic ${base64(credentials)}`;
  }
  return headers;
}

/** The form body of a refresh_token grant. */
export function tokenRequestBody(options: Pick<OAuth2RefreshOptions, 'clientId' | 'clientSecret' | 'extraParams'>, refreshToken: string): string {
  const form = new URLSearchParams({ ...options.extraParams, grant_type: 'refresh_token', refresh_token: refreshToken });
  if (options.clientId !== undefined && options.clientSecret === undefined) form.set('client_id', options.clientId);
  return form.toString();
}

/** Maps a token endpoint answer to {@link AuthTokens}, keeping the old refresh token when none came back. */
export function toAuthTokens(body: unknown, previous: AuthTokens): AuthTokens {
  const answer = (body ?? {}) as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
  if (typeof answer.access_token !== 'string' || answer.access_token === '') {
    throw new AuthRefreshError('invalid-tokens', new TypeError('the token endpoint answered without an access_token'));
  }
  const expiresIn = Number(answer.expires_in);
  return {
    accessToken: answer.access_token,
    refreshToken: typeof answer.refresh_token === 'string' && answer.refresh_token !== '' ? answer.refresh_token : previous.refreshToken,
    ...(answer.expires_in !== undefined && Number.isFinite(expiresIn) ? { expiresAt: Date.now() + expiresIn * 1000 } : {}),
  };
}

function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return btoa(String.fromCharCode(...bytes));
}
