import http from 'node:http';
import { forkJoin, lastValueFrom } from 'rxjs';
import {
  AuthRefreshError,
  createHttpClient,
  HttpError,
  MemoryTokenStore,
  oauth2Refresh,
  type AuthEvent,
} from '../../lib/index';
import {
  startTestAuthServer,
  TestAuthServerError,
  type EchoedRequest,
  type TestAuthServer,
  type TokenFault,
} from '../../lib/testing/index';

// rxjs-auth-http/testing as users get it: started on a free port, driven over real HTTP (Node's
// fetch, and the library's own client where the point is what an app sees).
describe('rxjs-auth-http/testing: startTestAuthServer', () => {
  let server: TestAuthServer;
  beforeEach(async () => (server = await startTestAuthServer()));
  afterEach(() => server.close());

  const refresh = (refreshToken: string, at = server.tokenUrl, signal?: AbortSignal) =>
    fetch(at, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      ...(signal ? { signal } : {}),
    });
  const api = (path: string, accessToken?: string) =>
    fetch(`${server.apiUrl}${path}`, accessToken ? { headers: { authorization: `Bearer ${accessToken}` } } : {});

  describe('start and close', () => {
    it('listens on 127.0.0.1, on a port of its own, and names its routes', async () => {
      const other = await startTestAuthServer();
      try {
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(other.url).not.toBe(server.url);
        expect(server.tokenUrl).toBe(`${server.url}/oauth/token`);
        expect(server.revocationUrl).toBe(`${server.url}/oauth/revoke`);
        expect(server.loginUrl).toBe(`${server.url}/login`);
        expect(server.apiUrl).toBe(`${server.url}/api`);
        expect(server.publicUrl).toBe(`${server.url}/public`);
      } finally {
        await other.close();
      }
    });

    it('fails with TestAuthServerError listen-failed, the system error as cause, when the port is taken', async () => {
      const port = Number(new URL(server.url).port);
      const error = await startTestAuthServer({ port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TestAuthServerError);
      expect((error as TestAuthServerError).code).toBe('listen-failed');
      expect(((error as TestAuthServerError).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    });

    it('refuses wrong options with a TypeError naming the option, at start and in configure', async () => {
      const wrong: Array<[string, () => unknown]> = [
        ['port', () => startTestAuthServer({ port: -1 })],
        ['accessTokenLifetimeMs', () => startTestAuthServer({ accessTokenLifetimeMs: 0 })],
        ['accessTokenLifetimeMs', () => startTestAuthServer({ accessTokenLifetimeMs: Infinity })],
        ['reuseGraceMs', () => server.configure({ reuseGraceMs: -1 })],
        ['tokenDelayMs', () => server.configure({ tokenDelayMs: Number.NaN })],
        ['abandonedGrants', () => server.configure({ abandonedGrants: 'later' as 'drop' })],
        ['jwt', () => server.configure({ jwt: 'yes' as unknown as boolean })],
        ['handler', () => server.configure({ handler: 'echo' as unknown as () => void })],
        ['times', () => server.failTokenRequests('invalid_grant', { times: 0 })],
        ['accessTokenLifetimeMs', () => server.issueTokens({ accessTokenLifetimeMs: Number.NaN })],
      ];
      for (const [name, act] of wrong) {
        const error = await Promise.resolve()
          .then(act)
          .catch((e: unknown) => e);
        expect(error).withContext(name).toBeInstanceOf(TypeError);
        expect((error as Error).message)
          .withContext(name)
          .toContain(name);
      }
      expect(server.settings.reuseGraceMs).withContext('a refused change changes nothing').toBe(0);
    });

    it('never repeats what it was given in an error: a token passed as a fault stays out of the message', () => {
      const { refreshToken } = server.issueTokens();
      expect(() => server.failTokenRequests(refreshToken as TokenFault)).toThrowMatching(
        (error) => error instanceof TypeError && !error.message.includes(refreshToken),
      );
    });

    it('closes at once with a request hanging and a keep-alive connection open, and twice without harm', async () => {
      server.failTokenRequests('hang');
      const agent = new http.Agent({ keepAlive: true });
      const idle = await new Promise<number>((resolve) =>
        http.get(`${server.url}/public/x`, { agent }, (res) =>
          res.resume().on('end', () => resolve(res.statusCode ?? 0)),
        ),
      );
      expect(idle).toBe(200);
      const hanging = refresh('rt-1').catch((e: unknown) => e);
      await server.untilTokenRequests(1);
      await server.close();
      await server.close();
      expect(await hanging).toBeInstanceOf(TypeError); // fetch failed: the connection was ended
      agent.destroy();
    });

    it('rejects a wait with TestAuthServerError closed when the server closes first, and any wait after', async () => {
      const waiting = server.until((stats) => stats.tokenRequests > 0);
      await server.close();
      const error = await waiting.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TestAuthServerError);
      expect((error as TestAuthServerError).code).toBe('closed');
      await expectAsync(server.untilTokenRequests(1)).toBeRejectedWith(jasmine.any(TestAuthServerError));
    });
  });

  describe('the API', () => {
    it('answers 401 without a token (no error code, RFC 6750) and with a token it does not accept', async () => {
      const none = await api('/orders');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      const stale = await api('/orders', 'at-made-up');
      expect(stale.status).toBe(401);
      expect(stale.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(server.stats.unauthorized).toBe(2);
      expect(server.stats.tokensSeen).toEqual(['', 'at-made-up']);
    });

    it('echoes a request with a live token, in the Authorization header or the access_token parameter', async () => {
      const { accessToken } = server.issueTokens();
      const echo = (await (await api('/orders?page=2', accessToken)).json()) as EchoedRequest;
      expect(echo).toEqual(jasmine.objectContaining({ method: 'GET', path: '/api/orders', query: { page: '2' } }));
      expect(echo.headers.authorization).toBe(`Bearer ${accessToken}`);
      expect((await fetch(`${server.apiUrl}/q?access_token=${accessToken}`)).status).toBe(200);
      expect(server.stats.apiRequests).toBe(2);
      expect(server.stats.unauthorized).toBe(0);
    });

    it('stops accepting tokens on demand, and once their lifetime is over', async () => {
      const live = server.issueTokens();
      const expired = server.issueTokens({ accessTokenLifetimeMs: -1 });
      expect((await api('/a', live.accessToken)).status).toBe(200);
      expect((await api('/a', expired.accessToken)).status).toBe(401);
      server.expireAccessTokens();
      expect((await api('/a', live.accessToken)).status).toBe(401);
      expect(server.accepts(live.accessToken)).toBeFalse();
    });

    it('serves /public/ without a token, and 404 elsewhere', async () => {
      const echo = (await (await fetch(`${server.publicUrl}/status`)).json()) as EchoedRequest;
      expect(echo.headers.authorization).toBeUndefined();
      expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
      expect(server.stats.apiRequests).toBe(0);
    });

    it('answers with the handler given, and 500 handler_failed when it throws or rejects', async () => {
      server.configure({
        handler: (req, res) => {
          if (req.url === '/api/orders') res.writeHead(200, { 'content-type': 'application/json' }).end('[1,2]');
          else if (req.url === '/api/throws') throw new Error('boom');
          else return Promise.reject(new Error('async boom'));
        },
      });
      const { accessToken } = server.issueTokens();
      expect(await (await api('/orders', accessToken)).json()).toEqual([1, 2]);
      const thrown = await api('/throws', accessToken);
      const rejected = await api('/rejects', accessToken);
      expect([thrown.status, rejected.status]).toEqual([500, 500]);
      expect(await thrown.json()).toEqual({ error: 'handler_failed' });
      expect(server.stats.handlerErrors).toBe(2);
    });

    it('answers CORS preflights for any origin and counts them', async () => {
      const res = await fetch(`${server.apiUrl}/orders`, {
        method: 'OPTIONS',
        headers: { origin: 'http://127.0.0.1:1', 'access-control-request-headers': 'authorization' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:1');
      expect(res.headers.get('access-control-allow-headers')).toBe('authorization');
      expect(server.stats.preflights).toBe(1);
      expect(server.stats.apiRequests).toBe(0);
    });
  });

  describe('the token endpoint', () => {
    it('rotates refresh tokens, and answers expires_in from the lifetime in force', async () => {
      server.configure({ accessTokenLifetimeMs: 5_000 });
      const { refreshToken } = server.issueTokens();
      const answer = (await (await refresh(refreshToken)).json()) as Record<string, unknown>;
      expect(answer).toEqual({
        access_token: jasmine.any(String),
        refresh_token: jasmine.any(String),
        token_type: 'Bearer',
        expires_in: 5,
      });
      expect(answer['refresh_token']).not.toBe(refreshToken);
      expect(server.accepts(answer['access_token'] as string)).toBeTrue();
      expect(server.stats.tokenRequests).toBe(1);
      expect(new URLSearchParams(server.stats.lastTokenRequest?.body).get('refresh_token')).toBe(refreshToken);
    });

    it('counts a spent refresh token as reuse and revokes its family: the successor is refused too', async () => {
      const { refreshToken } = server.issueTokens();
      const rotated = ((await (await refresh(refreshToken)).json()) as { refresh_token: string }).refresh_token;
      const reused = await refresh(refreshToken);
      expect(reused.status).toBe(400);
      expect(((await reused.json()) as { error: string }).error).toBe('invalid_grant');
      expect((await refresh(rotated)).status).toBe(400);
      expect(server.stats.refreshTokenReuse).toBe(1);
    });

    it('honours a spent refresh token within reuseGraceMs, counted apart', async () => {
      server.configure({ reuseGraceMs: 60_000 });
      const { refreshToken } = server.issueTokens();
      await refresh(refreshToken);
      expect((await refresh(refreshToken)).status).toBe(200);
      expect(server.stats.graceReuse).toBe(1);
      expect(server.stats.refreshTokenReuse).toBe(0);
    });

    it('leaves the refresh token out of the answer when it does not rotate, and takes the old one again', async () => {
      server.configure({ rotateRefreshTokens: false });
      const { refreshToken } = server.issueTokens();
      const first = (await (await refresh(refreshToken)).json()) as Record<string, unknown>;
      expect(first['refresh_token']).toBeUndefined();
      expect((await refresh(refreshToken)).status).toBe(200);
    });

    it('refuses expired refresh tokens, other grants and a missing token with the RFC 6749 codes', async () => {
      const { refreshToken } = server.issueTokens();
      server.expireRefreshTokens();
      const codes = await Promise.all(
        [
          refresh(refreshToken),
          fetch(server.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'password' }) }),
          fetch(server.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token' }) }),
        ].map(async (sent) => ((await (await sent).json()) as { error: string }).error),
      );
      expect(codes).toEqual(['invalid_grant', 'unsupported_grant_type', 'invalid_request']);
      expect(server.stats.refreshTokenReuse).toBe(0);
    });

    it('issues a fresh pair at /login, and revokes at /oauth/revoke (RFC 7009: 200 either way)', async () => {
      const login = (await (await fetch(server.loginUrl, { method: 'POST' })).json()) as Record<string, string>;
      const revoke = (token: string) =>
        fetch(server.revocationUrl, { method: 'POST', body: new URLSearchParams({ token }) });
      expect((await revoke(login['refresh_token'] ?? '')).status).toBe(200);
      expect((await revoke('never-issued')).status).toBe(200);
      expect((await refresh(login['refresh_token'] ?? '')).status).toBe(400);
      expect(server.stats.revocations).toBe(2);
    });

    const answered: ReadonlyArray<[TokenFault, number, string | null]> = [
      ['invalid_grant', 400, 'invalid_grant'],
      ['invalid_client', 401, 'invalid_client'],
      ['unavailable', 503, 'temporarily_unavailable'],
      ['server_error', 500, 'server_error'],
      ['malformed', 200, null],
      ['no_access_token', 200, null],
    ];
    for (const [fault, status, code] of answered) {
      it(`fails with '${fault}' (${status}) until it recovers, and spends no refresh token meanwhile`, async () => {
        const { refreshToken } = server.issueTokens();
        server.failTokenRequests(fault);
        for (let i = 0; i < 2; i++) {
          const res = await refresh(refreshToken);
          const text = await res.text();
          expect(res.status).toBe(status);
          if (code !== null) expect((JSON.parse(text) as { error: string }).error).toBe(code);
          expect(text).not.toContain('access_token');
        }
        server.recoverTokenEndpoint();
        expect((await refresh(refreshToken)).status).toBe(200);
        expect(server.stats.tokenRequests).toBe(3);
      });
    }

    it('fails only the next `times` requests, then answers again', async () => {
      const { refreshToken } = server.issueTokens();
      server.failTokenRequests('unavailable', { times: 2 });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await refresh(refreshToken)).status);
      expect(statuses).toEqual([503, 503, 200]);
    });

    it("cuts the connection mid-answer on 'reset'", async () => {
      server.failTokenRequests('reset');
      const failure = await refresh('rt-1')
        .then((res) => res.text())
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(TypeError);
    });

    it('holds token requests until released, and answers them late with tokenDelayMs', async () => {
      const { refreshToken } = server.issueTokens();
      const release = server.holdTokenRequests();
      let settled = false;
      const held = refresh(refreshToken).then((res) => ((settled = true), res.status));
      await server.untilTokenRequests(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBeFalse();
      release();
      expect(await held).toBe(200);

      server.configure({ tokenDelayMs: 40 });
      const started = performance.now();
      const rotated = server.issueTokens();
      expect((await refresh(rotated.refreshToken)).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(35); // a lower bound only: never flaky
    });

    for (const abandonedGrants of ['commit', 'drop'] as const) {
      it(`with abandonedGrants '${abandonedGrants}', a held request whose client left ${abandonedGrants === 'commit' ? 'still spends' : 'does not spend'} its refresh token`, async () => {
        server.configure({ abandonedGrants });
        const { refreshToken } = server.issueTokens();
        const release = server.holdTokenRequests();
        const leaving = new AbortController();
        const left = refresh(refreshToken, server.tokenUrl, leaving.signal).catch((e: unknown) => e);
        await server.untilTokenRequests(1);
        leaving.abort();
        await server.until((stats) => stats.aborted >= 1);
        release();
        expect(await left).toEqual(jasmine.objectContaining({ name: 'AbortError' }));
        const after = await refresh(refreshToken);
        expect(after.status).toBe(abandonedGrants === 'commit' ? 400 : 200);
        expect(server.stats.refreshTokenReuse).toBe(abandonedGrants === 'commit' ? 1 : 0);
      });
    }
  });

  // The recipes of docs/testing.md ("In Node"), as they are written there.
  describe('for an app under test', () => {
    function signedIn() {
      const store = new MemoryTokenStore(server.issueTokens());
      const client = createHttpClient({
        baseUrl: server.apiUrl,
        auth: { store, refresh: oauth2Refresh({ tokenUrl: server.tokenUrl, clientId: 'my-app' }) },
      });
      const events: AuthEvent['type'][] = [];
      client.authEvents$.subscribe((event) => events.push(event.type));
      return { client, store, events };
    }

    it('the session-end path: expired refresh tokens end the session with invalid_grant', async () => {
      const { client, store, events } = signedIn();
      server.expireAccessTokens();
      server.expireRefreshTokens();
      const error = await lastValueFrom(client.get('/orders')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthRefreshError);
      expect((error as AuthRefreshError).reason).toBe('rejected');
      expect((error as AuthRefreshError).oauthError).toBe('invalid_grant');
      expect(store.get()).toBeNull();
      expect(events).toContain('session-expired');
    });

    it('an outage (one 503) keeps the session, and the back-off spares the token endpoint', async () => {
      const { client, store } = signedIn();
      const kept = store.get();
      server.expireAccessTokens();
      server.failTokenRequests('unavailable', { times: 1 });
      const error = await lastValueFrom(client.get('/orders')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthRefreshError);
      expect((error as AuthRefreshError).reason).toBe('failed');
      expect(store.get()).toBe(kept);
      const again = await lastValueFrom(client.get('/orders')).catch((e: unknown) => e);
      expect(again).toBe(error);
      expect(server.stats.tokenRequests).toBe(1);
    });

    it('the opt-out: auth: false sends no token, and its 401 reaches the caller with no refresh', async () => {
      const { client } = signedIn();
      const echo = await lastValueFrom(client.get<EchoedRequest>(`${server.publicUrl}/status`, { auth: false }));
      expect(echo.headers.authorization).toBeUndefined();
      const error = await lastValueFrom(client.get('/orders', { auth: false })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).status).toBe(401);
      expect(server.stats.tokenRequests).toBe(0);
    });

    it('sees one refresh for concurrent requests on an expired token, and a live count of it', async () => {
      const store = new MemoryTokenStore(server.issueTokens());
      const client = createHttpClient({
        baseUrl: server.apiUrl,
        auth: { store, refresh: oauth2Refresh({ tokenUrl: server.tokenUrl }) },
      });
      server.expireAccessTokens();
      const release = server.holdTokenRequests();
      const done = lastValueFrom(forkJoin([1, 2, 3, 4].map((n) => client.get<EchoedRequest>(`/orders/${n}`))));
      await server.until((stats) => stats.unauthorized === 4 && stats.tokenRequests === 1);
      release();
      const echoes = await done;
      expect(echoes.map((echo) => echo.path)).toEqual([
        '/api/orders/1',
        '/api/orders/2',
        '/api/orders/3',
        '/api/orders/4',
      ]);
      expect(server.stats.tokenRequests).toBe(1);
      expect(server.stats.refreshTokenReuse).toBe(0);
      server.resetStats();
      expect(server.stats.tokenRequests).toBe(0);
      expect(server.stats.tokensSeen).toEqual([]);
      expect(server.accepts(store.get()?.accessToken ?? ''))
        .withContext('the tokens outlive resetStats')
        .toBeTrue();
    });
  });
});
