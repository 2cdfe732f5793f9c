import { lastValueFrom } from 'rxjs';
import { filter } from 'rxjs/operators';
import {
  AuthRefreshError,
  createHttpClient,
  HttpError,
  MemoryTokenStore,
  oauth2Refresh,
  oauth2Revoke,
  type AuthEvent,
  type AuthOptions,
  type HttpClient,
  type HttpTransport,
} from '../../lib';
import { nodeHttpTransport } from '../../lib/node';
import { startOidcServer, type ClientAuthMethod, type OidcServer, type RegisteredClient } from './support/oidc-server';
import { pkceLogin } from './support/pkce-login';

// The client against oidc-provider, a certified OpenID provider nobody here wrote: real logins
// (authorization code + PKCE), refresh-token rotation with reuse detection, short-lived access
// tokens, the three client authentication methods, both transports, opaque and JWT access tokens.
describe('the client against a real OAuth 2.0 server (oidc-provider)', () => {
  const methods: ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none'];
  // Whole seconds, as the server counts; 3 s leaves the half-life skew room for its rounding down.
  const ttl = 3;

  interface Signed {
    readonly client: HttpClient;
    readonly store: MemoryTokenStore;
    readonly events: AuthEvent[];
    readonly firstRefreshToken: string;
  }

  function clientOptions(registered: RegisteredClient) {
    return {
      clientId: registered.clientId,
      ...(registered.clientSecret ? { clientSecret: registered.clientSecret } : {}),
      clientAuthMethod: registered.method,
    };
  }

  async function signIn(
    server: OidcServer,
    method: ClientAuthMethod,
    extra: { transport?: HttpTransport; auth?: Partial<AuthOptions> } = {},
  ): Promise<Signed> {
    const registered = server.clients[method];
    const { tokens } = await pkceLogin(server, registered);
    const store = new MemoryTokenStore(tokens);
    const client = createHttpClient({
      ...(extra.transport ? { transport: extra.transport } : {}),
      auth: {
        store,
        refresh: oauth2Refresh({ ...clientOptions(registered), tokenUrl: server.tokenUrl }),
        revoke: oauth2Revoke({ ...clientOptions(registered), revocationUrl: server.revocationUrl }),
        allowedOrigins: [new URL(server.apiUrl).origin],
        maxRefreshes: false,
        ...extra.auth,
      },
    });
    const events: AuthEvent[] = [];
    client.authEvents$.subscribe((event) => events.push(event));
    return { client, store, events, firstRefreshToken: tokens.refreshToken ?? '' };
  }

  const settle = (request: Promise<unknown>): Promise<unknown> => request.catch((error: unknown) => error);

  // Requests in `loops` sequential loops until `ms` have passed; every failure is kept.
  async function steadyLoad(server: OidcServer, client: HttpClient, loops: number, ms: number) {
    const end = Date.now() + ms;
    const failures: unknown[] = [];
    let requests = 0;
    await Promise.all(
      Array.from({ length: loops }, async () => {
        while (Date.now() < end) {
          requests++;
          await lastValueFrom(client.get(server.apiUrl)).catch((error: unknown) => failures.push(error));
        }
      }),
    );
    return { requests, failures };
  }

  // A login is a dozen round trips through a real server: slow on a loaded machine.
  let defaultTimeout: number;
  beforeAll(() => {
    defaultTimeout = jasmine.DEFAULT_TIMEOUT_INTERVAL;
    jasmine.DEFAULT_TIMEOUT_INTERVAL = 20_000;
  });
  afterAll(() => {
    jasmine.DEFAULT_TIMEOUT_INTERVAL = defaultTimeout;
  });

  describe('with opaque access tokens', () => {
    let server: OidcServer;
    beforeAll(async () => {
      server = await startOidcServer({ accessTokenTtl: ttl });
    });
    afterAll(() => server.close());

    for (const method of methods) {
      for (const transport of ['rxjs/ajax', 'node:http'] as const) {
        it(`refreshes with ${method} over ${transport}, keeping scope and id_token`, async () => {
          // A transport that records what went through it: the token request must, too (point 5).
          const sentThrough: string[] = [];
          const recording: HttpTransport | undefined =
            transport === 'node:http'
              ? (settings) => {
                  const send = nodeHttpTransport()(settings);
                  return (req) => (sentThrough.push(req.url), send(req));
                }
              : undefined;
          const { client, store, firstRefreshToken } = await signIn(
            server,
            method,
            recording ? { transport: recording } : {},
          );
          const refreshesBefore = server.stats.grants['refresh_token'] ?? 0;
          store.set({ ...store.get()!, expiresAt: Date.now() - 1 }); // due: refreshed before sending
          expect(await lastValueFrom(client.get(server.apiUrl))).toEqual({ sub: 'alice' });
          const tokens = store.get()!;
          expect(server.stats.grants['refresh_token']).toBe(refreshesBefore + 1);
          expect(tokens.refreshToken).not.toBe(firstRefreshToken); // rotated
          expect(tokens.scope).toBe('openid offline_access');
          expect(tokens.idToken?.split('.').length).toBe(3);
          if (transport === 'node:http') expect(sentThrough).toEqual([server.tokenUrl, server.apiUrl]);
        });
      }
    }

    it('turns 40 concurrent requests after expiry into 1 refresh, on either path', async () => {
      const { client, store } = await signIn(server, 'none');
      const before = server.stats.grants['refresh_token'] ?? 0;
      const reuseBefore = server.stats.refreshTokenReuse;
      // The 401 path: the server ends the token, the client does not know when it expires.
      const unknownExpiry = { ...store.get()!, expiresAt: undefined };
      store.set(unknownExpiry);
      await server.expireAccessToken(unknownExpiry.accessToken);
      const afterExpiry = await Promise.all(Array.from({ length: 40 }, () => lastValueFrom(client.get(server.apiUrl))));
      expect(afterExpiry.length).toBe(40);
      expect(server.stats.grants['refresh_token']).toBe(before + 1);
      // The pre-expiry path: the client knows the token is due.
      store.set({ ...store.get()!, expiresAt: Date.now() - 1 });
      await Promise.all(Array.from({ length: 40 }, () => lastValueFrom(client.get(server.apiUrl))));
      expect(server.stats.grants['refresh_token']).toBe(before + 2);
      expect(server.stats.refreshTokenReuse).toBe(reuseBefore);
      report('40 concurrent after expiry, twice', { refreshes: server.stats.grants['refresh_token']! - before });
    });

    it('keeps the session when the server refuses the client or the scope, and the refresh token still works (point 3)', async () => {
      const registered = server.clients.client_secret_basic;
      const { store } = await signIn(server, 'client_secret_basic');
      const stale = { ...store.get()!, expiresAt: Date.now() - 1 };
      store.set(stale);
      const attempt = async (auth: Partial<AuthOptions>) => {
        const refresh = oauth2Refresh({ ...clientOptions(registered), tokenUrl: server.tokenUrl });
        const client = createHttpClient({
          auth: { store, refresh, allowedOrigins: [new URL(server.apiUrl).origin], ...auth },
        });
        return settle(lastValueFrom(client.get(server.apiUrl)));
      };
      const wrongSecret = (await attempt({
        refresh: oauth2Refresh({
          ...clientOptions(registered),
          clientSecret: 'rotated-on-the-server',
          tokenUrl: server.tokenUrl,
        }),
      })) as AuthRefreshError;
      expect(wrongSecret).toBeInstanceOf(AuthRefreshError);
      expect(wrongSecret.reason).toBe('failed');
      expect(wrongSecret.oauthError).toBe('invalid_client');
      expect(wrongSecret.message).not.toContain('rotated-on-the-server');
      expect(store.get()).toEqual(stale);
      const badScope = (await attempt({
        refresh: oauth2Refresh({
          ...clientOptions(registered),
          tokenUrl: server.tokenUrl,
          extraParams: { scope: 'openid admin' },
        }),
      })) as AuthRefreshError;
      expect(badScope.oauthError).toBe('invalid_scope');
      expect(badScope.reason).toBe('failed');
      expect(store.get()).toEqual(stale);
      expect(await attempt({})).toEqual({ sub: 'alice' }); // the same refresh token, once the client is right
    });

    it('keeps the scope the server narrowed to on refresh (point 6)', async () => {
      const registered = server.clients.none;
      const { client, store } = await signIn(server, 'none', {
        auth: {
          refresh: oauth2Refresh({
            ...clientOptions(registered),
            tokenUrl: server.tokenUrl,
            extraParams: { scope: 'openid' },
          }),
        },
      });
      store.set({ ...store.get()!, expiresAt: Date.now() - 1 });
      await lastValueFrom(client.get(server.apiUrl));
      expect(store.get()!.scope).toBe('openid');
    });

    it('ends the session once when the grant is revoked at the server, every caller failing the same way', async () => {
      // No skew: the 3 s login token would otherwise be refreshed before the first request.
      const { client, store, events } = await signIn(server, 'client_secret_post', { auth: { expirySkew: 0 } });
      await server.revokeGrantOf(store.get()!.refreshToken!); // its access tokens go with it
      // Six requests reach the server with the dead token but get their 401 only once the
      // session has ended; four get it at once and wait for the refresh.
      const release = server.holdApi();
      client.authEvents$.pipe(filter((event) => event.type === 'session-expired')).subscribe(() => release());
      const late = Array.from({ length: 6 }, () => settle(lastValueFrom(client.get(`${server.apiUrl}?held`))));
      const waiting = Array.from({ length: 4 }, () => settle(lastValueFrom(client.get(server.apiUrl))));
      const outcomes = await Promise.all([...waiting, ...late]);
      for (const outcome of outcomes) {
        expect(outcome).toBeInstanceOf(AuthRefreshError);
        expect((outcome as AuthRefreshError).reason).toBe('rejected');
      }
      expect(((outcomes[9] as AuthRefreshError).cause as HttpError).status).toBe(401); // the API's own answer, kept
      expect(events.map((event) => event.type)).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
      expect((events[1] as { error: AuthRefreshError }).error.oauthError).toBe('invalid_grant');
      expect(store.get()).toBeNull();
    });

    it('revokes at the server on logout with each client authentication method (point 7)', async () => {
      for (const method of methods) {
        const { client, store, events } = await signIn(server, method);
        const refreshToken = store.get()!.refreshToken!;
        expect(await server.isRefreshTokenLive(refreshToken)).toBeTrue();
        await client.auth!.logout();
        expect(store.get()).toBeNull();
        expect(await server.isRefreshTokenLive(refreshToken))
          .withContext(method)
          .toBeFalse();
        expect(events.filter((event) => event.type === 'revoke-failure')).toEqual([]);
      }
    });

    it('signs out locally when the revocation fails, and says so in an event', async () => {
      const registered = server.clients.client_secret_basic;
      const { client, store, events } = await signIn(server, 'client_secret_basic', {
        auth: {
          revoke: oauth2Revoke({
            ...clientOptions(registered),
            clientSecret: 'wrong',
            revocationUrl: server.revocationUrl,
          }),
        },
      });
      const refreshToken = store.get()!.refreshToken!;
      await client.auth!.logout();
      expect(store.get()).toBeNull();
      const failure = events.find((event) => event.type === 'revoke-failure') as { error: unknown } | undefined;
      expect(failure?.error).toBeInstanceOf(HttpError);
      expect(((failure?.error as HttpError).body as { error?: string }).error).toBe('invalid_client');
      expect(JSON.stringify(failure?.error)).not.toContain(refreshToken);
      expect(await server.isRefreshTokenLive(refreshToken)).toBeTrue(); // the server was not told; the app knows from the event
    });

    it('detects reuse of a rotated refresh token, which is why refreshes must never overlap', async () => {
      const { client, store, firstRefreshToken } = await signIn(server, 'none');
      store.set({ ...store.get()!, expiresAt: Date.now() - 1 });
      await lastValueFrom(client.get(server.apiUrl));
      const reuseBefore = server.stats.refreshTokenReuse;
      // What a second, overlapping refresh would send: the refresh token that was just rotated.
      const replay = oauth2Refresh({ clientId: server.clients.none.clientId, tokenUrl: server.tokenUrl });
      const error = await settle(lastValueFrom(replay({ accessToken: 'x', refreshToken: firstRefreshToken })));
      expect((error as HttpError).status).toBe(400);
      expect(server.stats.refreshTokenReuse).toBe(reuseBefore + 1);
      // The server revoked the whole grant: the session's current refresh token is dead too.
      expect(await server.isRefreshTokenLive(store.get()!.refreshToken!)).toBeFalse();
    });
  });

  describe('with JWT access tokens', () => {
    let server: OidcServer;
    beforeAll(async () => {
      server = await startOidcServer({ accessTokenTtl: ttl, accessTokenFormat: 'jwt' });
    });
    afterAll(() => server.close());

    it('sends sequential requests across several expiries without a 401 (point 1)', async () => {
      const { client, events } = await signIn(server, 'client_secret_basic');
      const unauthorizedBefore = server.api.unauthorized;
      const { requests, failures } = await steadyLoad(server, client, 1, 7_000);
      const refreshes = events.filter((event) => event.type === 'refresh-start').length;
      expect(failures.map(String)).toEqual([]);
      expect(server.api.unauthorized - unauthorizedBefore).toBe(0);
      expect(refreshes).toBeGreaterThanOrEqual(3); // 7 s of 3 s tokens, each replaced at half its life at most
      expect(requests).toBeGreaterThan(refreshes);
      report('sequential, JWT, rxjs/ajax, 7 s', {
        requests,
        refreshes,
        unauthorized: server.api.unauthorized - unauthorizedBefore,
      });
    }, 30_000);

    it('holds steady load over several expiries: refreshes = tokens replaced, 0 failures, 0 reuse, 0 401s', async () => {
      // A server of its own, so its counts are this load's alone.
      const own = await startOidcServer({ accessTokenTtl: ttl, accessTokenFormat: 'jwt' });
      try {
        const { client, events } = await signIn(own, 'client_secret_post', { transport: nodeHttpTransport() });
        const { requests, failures } = await steadyLoad(own, client, 16, 7_000);
        const refreshes = events.filter((event) => event.type === 'refresh-start').length;
        expect(failures.map(String)).toEqual([]);
        expect(own.stats.refreshTokenReuse).toBe(0);
        expect(own.api.unauthorized).toBe(0);
        expect(own.stats.grants['refresh_token']).toBe(refreshes);
        // Each refresh gave a token the API then accepted: none was wasted or doubled. (The login
        // token lives shorter than the 30 s skew, so it is replaced before its first use.)
        expect(own.api.accepted.size).toBe(refreshes);
        expect(refreshes).toBeGreaterThanOrEqual(3);
        expect(refreshes).toBeLessThanOrEqual(6); // 7 s at one refresh per 1.5-3 s of token life
        report('16 loops, JWT, node:http, 7 s', {
          requests,
          refreshes,
          unauthorized: own.api.unauthorized,
          reuse: own.stats.refreshTokenReuse,
        });
      } finally {
        await own.close();
      }
    }, 30_000);

    it('waits for one refresh with 40 concurrent requests when the JWT says it is due', async () => {
      const { client, store } = await signIn(server, 'none');
      const before = server.stats.grants['refresh_token'] ?? 0;
      const fromJwt = { ...store.get()!, expiresAt: undefined };
      // Without expiresAt the session reads the JWT's exp; a token past it is refreshed first.
      store.set({ ...fromJwt, accessToken: reExpired(fromJwt.accessToken) });
      await Promise.all(Array.from({ length: 40 }, () => lastValueFrom(client.get(server.apiUrl))));
      expect(server.stats.grants['refresh_token']).toBe(before + 1);
      expect(server.api.unauthorized).toBe(0);
    });
  });
});

// A JWT whose exp claim lies in the past: the client only reads exp (the API would refuse the
// broken signature, but the client never gets that far: it refreshes first).
function reExpired(jwt: string): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const past = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) - 1 })).toString('base64url');
  return `${header}.${past}.${signature}`;
}

// The figures the issue asks for, printed once per run so CI logs carry them.
function report(what: string, figures: Record<string, number>): void {
  console.log(
    `  [oidc-provider] ${what}: ${Object.entries(figures)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}`,
  );
}
