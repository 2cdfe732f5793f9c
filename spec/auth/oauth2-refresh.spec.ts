import { lastValueFrom } from 'rxjs';
import { AuthRefreshError, HttpError, oauth2Refresh } from '../../lib';
import { TokenApiServer } from '../support/token-api-server';

describe('oauth2Refresh (refresh_token grant, RFC 6749 section 6)', () => {
  let server: TokenApiServer;
  beforeEach(async () => {
    server = await TokenApiServer.start();
  });
  afterEach(() => server.close());

  it('posts a form with grant_type and refresh_token, and client_id for a public client', async () => {
    const { refreshToken, accessToken } = server.issueTokens();
    const refresh = oauth2Refresh({ tokenUrl: `${server.url}/oauth/token`, clientId: 'web app', extraParams: { scope: 'api read' } });
    const tokens = await lastValueFrom(refresh({ accessToken, refreshToken }));
    const sent = server.stats.lastTokenRequest!;
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({
      scope: 'api read',
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: 'web app',
    });
    expect(sent.headers.authorization).toBeUndefined();
    expect(server.accepts(tokens.accessToken)).toBeTrue();
    expect(tokens.refreshToken).not.toBe(refreshToken);
  });

  it('maps expires_in to an absolute expiresAt', async () => {
    const { refreshToken, accessToken } = server.issueTokens();
    const before = Date.now();
    const tokens = await lastValueFrom(oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` })({ accessToken, refreshToken }));
    expect(tokens.expiresAt).toBeGreaterThanOrEqual(before + 59_000);
    expect(tokens.expiresAt).toBeLessThanOrEqual(Date.now() + 61_000);
  });

  it("sends a confidential client's credentials as HTTP Basic, form-encoded first", async () => {
    const { refreshToken, accessToken } = server.issueTokens();
    await lastValueFrom(oauth2Refresh({ tokenUrl: `${server.url}/oauth/token`, clientId: 'svc:1', clientSecret: 's3cret /+' })({ accessToken, refreshToken }));
    const sent = server.stats.lastTokenRequest!;
    const decoded = Buffer.from(sent.headers.authorization!.replace(/^Basic /, ''), 'base64').toString();
    expect(decoded).toBe('svc%3A1:s3cret+%2F%2B');
    expect(new URLSearchParams(sent.body).has('client_id')).toBeFalse();
  });

  it('keeps the old refresh token when the server does not rotate', async () => {
    server.tokenEndpoint.rotate = false;
    const { refreshToken, accessToken } = server.issueTokens();
    const tokens = await lastValueFrom(oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` })({ accessToken, refreshToken }));
    expect(tokens.refreshToken).toBe(refreshToken);
  });

  it('surfaces invalid_grant as an HttpError with the error body', async () => {
    const error = await lastValueFrom(oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` })({ accessToken: 'a', refreshToken: 'revoked' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).body).toEqual({ error: 'invalid_grant' });
  });

  it('refuses to run without a refresh token, as a rejected refresh', () => {
    expect(() => oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` })({ accessToken: 'a' })).toThrowMatching(
      (error) => error instanceof AuthRefreshError && error.reason === 'rejected',
    );
  });

  it('fails at set-up on an invalid token URL', () => {
    expect(() => oauth2Refresh({ tokenUrl: 'not a url' })).toThrowError(TypeError);
  });
});
