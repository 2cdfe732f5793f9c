import type { Observable } from 'rxjs';
import { map } from 'rxjs/operators';
import type { HttpHandler } from '../client/interceptor';
import { ajaxTokenTransport } from './ajax-token-transport';
import { oauth2Endpoint, ownTransport, type OAuth2ClientOptions } from './oauth2-endpoint';
import { followsTokenTransport } from './with-token-transport';
import type { AuthTokens } from '../auth/token-store';

/**
 * Settings for OAuth 2.0 token revocation (RFC 7009): the same client settings as
 * {@link oauth2Refresh}, and the revocation endpoint.
 *
 * @example
 * ```ts
 * const options: OAuth2RevokeOptions = { revocationUrl: 'https://auth.example.com/oauth/revoke', clientId: 'spa' };
 * ```
 */
export interface OAuth2RevokeOptions extends OAuth2ClientOptions {
  /** The revocation endpoint: absolute, or relative to the page in a browser. */
  revocationUrl: string;
}

/**
 * A ready `revoke` function for `AuthOptions`: on `logout()` it revokes the refresh token (which
 * ends the whole grant at most servers), or the access token when there is no refresh token,
 * authenticating the client as the token request does. `logout()` clears the local session
 * first, so a failed revocation never keeps the user signed in.
 *
 * @example
 * ```ts
 * const client = { clientId: 'spa' };
 * const auth: AuthOptions = {
 *   refresh: oauth2Refresh({ ...client, tokenUrl: 'https://auth.example.com/oauth/token' }),
 *   revoke: oauth2Revoke({ ...client, revocationUrl: 'https://auth.example.com/oauth/revoke' }),
 * };
 * ```
 */
export function oauth2Revoke(options: OAuth2RevokeOptions): (tokens: AuthTokens) => Observable<void> {
  const post = oauth2Endpoint('oauth2Revoke', options?.revocationUrl, options);
  const over =
    (send: HttpHandler) =>
    (tokens: AuthTokens): Observable<void> => {
      const form = tokens.refreshToken
        ? { token: tokens.refreshToken, token_type_hint: 'refresh_token' }
        : { token: tokens.accessToken, token_type_hint: 'access_token' };
      return post(send, form).pipe(map(() => undefined));
    };
  const own = ownTransport(options);
  return own ? over(own) : followsTokenTransport(over(ajaxTokenTransport()), over);
}
