import type { Observable } from 'rxjs';
import type { DPoP } from '../dpop/dpop';
import { map } from 'rxjs/operators';
import { AuthRefreshError } from '../errors/auth-refresh-error';
import type { HttpHandler } from '../client/interceptor';
import { ajaxTokenTransport } from './ajax-token-transport';
import type { RefreshContext } from '../auth/auth-options';
import { oauth2Endpoint, ownTransport, type OAuth2ClientOptions } from './oauth2-endpoint';
import { followsTokenTransport } from './with-token-transport';
import type { AuthTokens } from '../auth/token-store';

/**
 * Settings for the OAuth 2.0 `refresh_token` grant.
 *
 * @example
 * ```ts
 * const options: OAuth2RefreshOptions = {
 *   tokenUrl: 'https://auth.example.com/oauth/token',
 *   clientId: 'spa',
 *   extraParams: { scope: 'api' },
 * };
 * ```
 */
export interface OAuth2RefreshOptions extends OAuth2ClientOptions {
  /** The token endpoint: absolute, or relative to the page in a browser. */
  tokenUrl: string;
  /** More form fields, such as `scope` or `audience`. */
  extraParams?: Readonly<Record<string, string>>;
  /**
   * Signs each token request with this key (RFC 9449) and expects `token_type: DPoP`. Default: the
   * `auth.dpop` of the session the function is given to, if any.
   */
  dpop?: DPoP;
}

/**
 * A ready `refresh` function for the OAuth 2.0 refresh_token grant (RFC 6749 section 6). It posts
 * the form straight to the transport, never through the auth layer, so it cannot refresh itself:
 * the client's own transport, Angular's `HttpBackend` under the Angular adapter, else its
 * `transport` option or rxjs/ajax.
 * A rotated refresh token replaces the old one; when none comes back the old one is kept. Only an
 * `invalid_grant` answer ends the session; other endpoint errors keep the tokens.
 *
 * @example
 * ```ts
 * const client = createHttpClient({
 *   baseUrl: 'https://api.example.com',
 *   auth: { store, refresh: oauth2Refresh({ tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'spa' }) },
 * });
 * ```
 */
export function oauth2Refresh(
  options: OAuth2RefreshOptions,
): (tokens: AuthTokens, context?: RefreshContext) => Observable<AuthTokens> {
  const post = oauth2Endpoint('oauth2Refresh', options?.tokenUrl, options);
  const over =
    (send: HttpHandler) =>
    (tokens: AuthTokens, context?: RefreshContext): Observable<AuthTokens> => {
      if (!tokens.refreshToken)
        throw new AuthRefreshError('rejected', new Error('there is no refresh token to refresh with'));
      const form = { ...options.extraParams, grant_type: 'refresh_token', refresh_token: tokens.refreshToken };
      const dpop = options.dpop ?? context?.dpop ?? null;
      return post(send, form, dpop).pipe(map((body) => toAuthTokens(body, tokens, dpop ? 'DPoP' : 'Bearer')));
    };
  const own = ownTransport(options);
  return own ? over(own) : followsTokenTransport(over(ajaxTokenTransport()), over);
}

/**
 * Maps a token endpoint answer (RFC 6749 section 5.1) to {@link AuthTokens}: keeps the old
 * refresh token and scope when none came back, refuses a token type other than `tokenType`
 * (Bearer, or DPoP for a key-bound session), and takes an `expires_in` that is not a positive
 * number of seconds as "unknown expiry".
 */
export function toAuthTokens(body: unknown, previous: AuthTokens, tokenType: 'Bearer' | 'DPoP' = 'Bearer'): AuthTokens {
  const answer = (body ?? {}) as Record<string, unknown>;
  const text = (name: string): string | undefined => {
    const value = answer[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const accessToken = text('access_token');
  if (accessToken === undefined) {
    throw new AuthRefreshError('invalid-tokens', new TypeError('the token endpoint answered without an access_token'));
  }
  const issuedType = text('token_type');
  // A DPoP token sent as Bearer (or a Bearer one as DPoP) is refused by every API: say so once, here.
  // RFC 9449 section 5: a DPoP answer must name its type; a Bearer answer may omit it.
  if (issuedType === undefined ? tokenType === 'DPoP' : issuedType.toLowerCase() !== tokenType.toLowerCase()) {
    const shown = issuedType !== undefined && /^[\w.-]{1,32}$/.test(issuedType) ? ` "${issuedType}"` : '';
    throw new AuthRefreshError(
      'invalid-tokens',
      new TypeError(`the token endpoint issued a${shown} token that is not a ${tokenType} token`),
    );
  }
  const refreshToken = text('refresh_token') ?? previous.refreshToken;
  const scope = text('scope') ?? previous.scope;
  const idToken = text('id_token') ?? previous.idToken;
  const expiresIn = secondsOf(answer['expires_in']);
  return {
    accessToken,
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(expiresIn !== undefined ? { expiresAt: Date.now() + expiresIn * 1000 } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(idToken !== undefined ? { idToken } : {}),
  };
}

// Some servers send expires_in as a string of digits; null, "", a negative number or garbage
// means the server did not say, which must never read as "already expired".
function secondsOf(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}
