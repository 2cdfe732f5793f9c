import { lastValueFrom } from 'rxjs';
import { AuthRefreshError, HttpError, InvalidRequestError, oauth2Refresh, oauth2Revoke } from '../../lib';
import { toAuthTokens } from '../../lib/oauth/oauth2-refresh';
import { startTestAuthServer, type TestAuthServer } from '../../lib/testing/index';

describe('oauth2Refresh (refresh_token grant, RFC 6749 section 6)', () => {
  let server: TestAuthServer;
  beforeEach(async () => {
    server = await startTestAuthServer();
  });
  afterEach(() => server.close());

  it('posts a form with grant_type and refresh_token, and client_id for a public client', async () => {
    const { refreshToken, accessToken } = server.issueTokens();
    const refresh = oauth2Refresh({
      tokenUrl: `${server.url}/oauth/token`,
      clientId: 'web app',
      extraParams: { scope: 'api read' },
    });
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
    const tokens = await lastValueFrom(
      oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` })({ accessToken, refreshToken }),
    );
    const lifetime = server.settings.accessTokenLifetimeMs; // expires_in is in whole seconds
    expect(tokens.expiresAt).toBeGreaterThanOrEqual(before + lifetime - 1_000);
    expect(tokens.expiresAt).toBeLessThanOrEqual(Date.now() + lifetime + 1_000);
  });

  it("sends a confidential client's credentials as HTTP Basic, form-encoded first", async () => {
    const { refreshToken, accessToken } = server.issueTokens();
    await lastValueFrom(
      oauth2Refresh({ tokenUrl: `${server.url}/oauth/token`, clientId: 'svc:1', clientSecret: 's3cret /+' })({
        accessToken,
        refreshToken,
      }),
    );
    const sent = server.stats.lastTokenRequest!;
    const decoded = Buffer.from(sent.headers.authorization!.replace(/^Basic /, ''), 'base64').toString();
    expect(decoded).toBe('svc%3A1:s3cret+%2F%2B');
    expect(new URLSearchParams(sent.body).has('client_id')).toBeFalse();
  });

  it('keeps the old refresh token when the server does not rotate', async () => {
    server.configure({ rotateRefreshTokens: false });
    const { refreshToken, accessToken } = server.issueTokens();
    const tokens = await lastValueFrom(
      oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` })({ accessToken, refreshToken }),
    );
    expect(tokens.refreshToken).toBe(refreshToken);
  });

  it('surfaces invalid_grant as an HttpError with the error body', async () => {
    const error = await lastValueFrom(
      oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` })({ accessToken: 'a', refreshToken: 'revoked' }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).body).toEqual({ error: 'invalid_grant', error_description: jasmine.any(String) });
  });

  it('refuses to run without a refresh token, as a rejected refresh', () => {
    expect(() => oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` })({ accessToken: 'a' })).toThrowMatching(
      (error) => error instanceof AuthRefreshError && error.reason === 'rejected',
    );
  });

  it('fails at set-up on a token URL Node cannot resolve, with a typed error that names the option and hides the secret', () => {
    for (const tokenUrl of ['not a url', '/oauth/token']) {
      const setUp = () => oauth2Refresh({ tokenUrl, clientId: 'svc', clientSecret: 'hunter2-secret' });
      expect(setUp).toThrowMatching(
        (error) =>
          error instanceof InvalidRequestError &&
          error.message.includes('oauth2Refresh') &&
          error.message.includes('absolute') &&
          !error.message.includes('hunter2'),
      );
    }
    expect(() => oauth2Revoke({ revocationUrl: '/oauth/revoke' })).toThrowError(InvalidRequestError, /oauth2Revoke/);
  });

  it('sends the secret in the form for client_secret_post, and refuses settings that do not fit the method', async () => {
    const { refreshToken, accessToken } = server.issueTokens();
    const tokenUrl = `${server.url}/oauth/token`;
    await lastValueFrom(
      oauth2Refresh({ tokenUrl, clientId: 'svc', clientSecret: 's /+', clientAuthMethod: 'client_secret_post' })({
        accessToken,
        refreshToken,
      }),
    );
    const sent = server.stats.lastTokenRequest!;
    expect(sent.headers.authorization).toBeUndefined();
    expect(new URLSearchParams(sent.body).get('client_id')).toBe('svc');
    expect(new URLSearchParams(sent.body).get('client_secret')).toBe('s /+');
    expect(() =>
      oauth2Refresh({ tokenUrl, clientId: 'spa', clientSecret: 'x', clientAuthMethod: 'none' }),
    ).toThrowError(TypeError, /public client/);
    expect(() => oauth2Refresh({ tokenUrl, clientId: 'svc', clientAuthMethod: 'client_secret_post' })).toThrowError(
      TypeError,
      /needs clientId and clientSecret/,
    );
    expect(() => oauth2Refresh({ tokenUrl, clientAuthMethod: 'private_key_jwt' as 'none' })).toThrowError(
      TypeError,
      /clientAuthMethod must be/,
    );
  });
});

describe('toAuthTokens (the token endpoint answer, RFC 6749 section 5.1)', () => {
  const previous = { accessToken: 'a-0', refreshToken: 'r-0', scope: 'api offline_access', idToken: 'id-0' };

  it('keeps scope and id_token, and the previous ones when the answer has none', () => {
    expect(
      toAuthTokens({ access_token: 'a-1', token_type: 'Bearer', scope: 'api', id_token: 'id-1' }, previous),
    ).toEqual({
      accessToken: 'a-1',
      refreshToken: 'r-0',
      scope: 'api',
      idToken: 'id-1',
    });
    expect(toAuthTokens({ access_token: 'a-1', token_type: 'bearer' }, previous)).toEqual({
      ...previous,
      accessToken: 'a-1',
    });
  });

  it('refuses a token type other than Bearer, with the type in the reason', () => {
    for (const tokenType of ['DPoP', 'mac', 'N_A']) {
      expect(() => toAuthTokens({ access_token: 'a-1', token_type: tokenType }, previous)).toThrowMatching(
        (error) =>
          error instanceof AuthRefreshError &&
          error.reason === 'invalid-tokens' &&
          error.cause instanceof TypeError &&
          error.cause.message.includes(`"${tokenType}"`) &&
          error.cause.message.includes('not a Bearer token'),
      );
    }
  });

  it('with DPoP, takes only a token that says it is DPoP: never a Bearer one, nor one without a type', () => {
    expect(toAuthTokens({ access_token: 'a-1', token_type: 'DPoP' }, previous, 'DPoP').accessToken).toBe('a-1');
    expect(toAuthTokens({ access_token: 'a-1', token_type: 'dpop' }, previous, 'DPoP').accessToken).toBe('a-1');
    for (const answer of [{ access_token: 'a-1', token_type: 'Bearer' }, { access_token: 'a-1' }]) {
      expect(() => toAuthTokens(answer, previous, 'DPoP')).toThrowMatching(
        (error) =>
          error instanceof AuthRefreshError &&
          error.reason === 'invalid-tokens' &&
          String(error.cause).includes('not a DPoP token'),
      );
    }
  });

  it('takes an expires_in that is not a positive number of seconds as unknown expiry, never as expired', () => {
    for (const expiresIn of [null, '', -5, 0, 'soon', {}, Infinity]) {
      expect(toAuthTokens({ access_token: 'a-1', expires_in: expiresIn }, previous).expiresAt)
        .withContext(JSON.stringify(expiresIn) ?? 'undefined')
        .toBeUndefined();
    }
    const before = Date.now();
    expect(toAuthTokens({ access_token: 'a-1', expires_in: '60' }, previous).expiresAt).toBeGreaterThanOrEqual(
      before + 60_000,
    );
  });
});
