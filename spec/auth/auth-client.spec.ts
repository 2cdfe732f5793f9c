import { inspect } from 'node:util';
import { forkJoin, lastValueFrom, type Observable, of, throwError } from 'rxjs';
import { catchError, map } from 'rxjs/operators';
import {
  AuthRefreshError,
  createAuthSession,
  createHttpClient,
  HttpError,
  MemoryTokenStore,
  oauth2Refresh,
  TokenStoreError,
  type AuthEvent,
  type AuthOptions,
  type AuthTokens,
  type HttpClient,
  type HttpClientOptions,
  type HttpInterceptor,
} from '../../lib';
import { startTestServer, type TestServer, type EchoedRequest } from '../../test-server/start-test-server';

describe('the client with auth, against a real token server', () => {
  let server: TestServer;
  let store: MemoryTokenStore;

  beforeEach(async () => {
    server = await startTestServer();
    const tokens = server.issueTokens();
    server.expireAccessTokens(); // every spec starts with an expired access token
    store = new MemoryTokenStore(tokens);
  });
  afterEach(() => server.close());

  function clientWith(auth: Partial<AuthOptions> = {}, options: HttpClientOptions = {}): HttpClient {
    return createHttpClient({
      baseUrl: server.url,
      ...options,
      auth: { store, refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token`, clientId: 'spec' }), ...auth },
    });
  }

  function events(client: HttpClient): AuthEvent['type'][] {
    const seen: AuthEvent['type'][] = [];
    client.authEvents$.subscribe((event) => seen.push(event.type));
    return seen;
  }

  it('turns 100 concurrent 401s into exactly one refresh and 100 successes', async () => {
    const client = clientWith();
    const results = await lastValueFrom(
      forkJoin(Array.from({ length: 100 }, (_, i) => client.get<EchoedRequest>(`/api/item/${i}`))),
    );
    expect(results.length).toBe(100);
    expect(results.every((echo, i) => echo.path === `/api/item/${i}`)).toBeTrue();
    expect(server.stats.tokenRequests).toBe(1);
    expect(server.stats.refreshTokenReuse).toBe(0);
    expect(server.accepts(store.get()!.accessToken)).toBeTrue();
  });

  it('re-sends POST bodies intact on the retry: JSON, URLSearchParams and FormData', async () => {
    const client = clientWith();
    const form = new FormData();
    form.append('field', 'value');
    form.append('upload', new Blob(['upload-bytes']), 'u.bin');
    const [json, urlEncoded, multipart] = await lastValueFrom(
      forkJoin([
        client.post<EchoedRequest>('/api/echo', { order: 7 }),
        client.post<EchoedRequest>('/api/echo', new URLSearchParams({ q: 'a&b' })),
        client.post<EchoedRequest>('/api/echo', form),
      ]),
    );
    expect(server.stats.unauthorized).toBe(3); // each was sent once with the old token
    expect(server.stats.tokenRequests).toBe(1);
    expect(JSON.parse(json.body)).toEqual({ order: 7 });
    expect(urlEncoded.body).toBe('q=a%26b');
    expect(multipart.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(multipart.body).toContain('upload-bytes');
    expect(multipart.body).toContain('name="field"\r\n\r\nvalue');
  });

  it('finishes the refresh for the others when the request that started it is cancelled', async () => {
    const release = server.holdTokenRequests(); // the refresh stays in flight until released
    const client = clientWith();
    const initiator = client.get('/api/first').subscribe();
    await server.untilTokenRequests();
    initiator.unsubscribe(); // before anyone else joins: the refresh must not be cancelled
    const others = lastValueFrom(
      forkJoin([client.get<EchoedRequest>('/api/second'), client.get<EchoedRequest>('/api/third')]),
    );
    release();
    const [second, third] = await others;
    expect([second.path, third.path]).toEqual(['/api/second', '/api/third']);
    expect(server.stats.tokenRequests).toBe(1);
    expect(server.stats.unauthorized).toBe(1); // the others waited for the refresh, never sending the stale token
    expect(server.accepts(store.get()!.accessToken)).toBeTrue();
  });

  it('keeps what other interceptors added when it retries', async () => {
    const tag: HttpInterceptor = (req, next) => next({ ...req, headers: { ...req.headers, 'x-tag': 'kept' } });
    const client = clientWith({}, { interceptors: [tag] });
    const echo = await lastValueFrom(client.put<EchoedRequest>('/api/echo', { v: 1 }));
    expect(echo.method).toBe('PUT');
    expect(echo.headers['x-tag']).toBe('kept');
    expect(JSON.parse(echo.body)).toEqual({ v: 1 });
  });

  it('gives the caller a retry failure of another status, not the original 401', async () => {
    const client = clientWith();
    const error = await lastValueFrom(client.get('/api/status/500', { retry: 0 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(500);
    expect(server.stats.tokenRequests).toBe(1);
  });

  it('ends the session when the token endpoint says invalid_grant: store cleared, one session-expired', async () => {
    server.failTokenRequests('invalid_grant');
    const client = clientWith();
    const seen = events(client);
    const outcomes = await lastValueFrom(
      forkJoin(
        Array.from({ length: 5 }, () => client.get('/api/echo').pipe(catchError((error: unknown) => of(error)))),
      ),
    );
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(AuthRefreshError);
      expect((outcome as AuthRefreshError).reason).toBe('rejected');
      expect(((outcome as AuthRefreshError).cause as HttpError).status).toBe(400);
    }
    expect(server.stats.tokenRequests).toBe(1);
    expect(store.get()).toBeNull();
    expect(seen.filter((type) => type === 'session-expired').length).toBe(1);
  });

  it('keeps the tokens after a transient failure, backs off, then refreshes anew', async () => {
    server.failTokenRequests('server_error');
    const client = clientWith({ refreshBackoff: { firstMs: 60_000, maxMs: 60_000 } });
    const error = await lastValueFrom(client.get('/api/echo')).catch((e: unknown) => e);
    expect((error as AuthRefreshError).reason).toBe('failed');
    expect(store.get()).not.toBeNull();
    server.recoverTokenEndpoint();
    // In the back-off: the same failure, no token request.
    expect(await lastValueFrom(client.get('/api/echo')).catch((e: unknown) => e)).toBe(error);
    expect(server.stats.tokenRequests).toBe(1);
    // A client without it refreshes on the next request.
    const eager = clientWith({ refreshBackoff: false });
    const echo = await lastValueFrom(eager.get<EchoedRequest>('/api/echo'));
    expect(echo.path).toBe('/api/echo');
    expect(server.stats.tokenRequests).toBe(2);
  });

  it('stores a rotated refresh token and uses it for the next expiry', async () => {
    const client = clientWith();
    const before = store.get()!.refreshToken;
    await lastValueFrom(client.get('/api/echo'));
    const rotated = store.get()!.refreshToken;
    expect(rotated).not.toBe(before);
    server.expireAccessTokens();
    await lastValueFrom(client.get('/api/echo'));
    expect(store.get()!.refreshToken).not.toBe(rotated);
    expect(server.stats.tokenRequests).toBe(2);
    expect(server.stats.refreshTokenReuse).toBe(0);
  });

  it('sends no token and never refreshes for auth: false', async () => {
    const client = clientWith();
    const error = await lastValueFrom(client.get('/api/echo', { auth: false })).catch((e: unknown) => e);
    expect((error as HttpError).status).toBe(401);
    expect(server.stats.tokensSeen).toEqual(['']);
    expect(server.stats.tokenRequests).toBe(0);
  });

  it('lets a custom refresh call the same client with auth: false without deadlock', async () => {
    // The refresh runs only after the client exists, so it may refer to it.
    const refresh = (tokens: AuthTokens): Observable<AuthTokens> =>
      client
        .post<{ access_token: string; refresh_token: string }>(
          '/oauth/token',
          new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken! }),
          { auth: false },
        )
        .pipe(map((body) => ({ accessToken: body.access_token, refreshToken: body.refresh_token })));
    const client: HttpClient = clientWith({ refresh });
    const echo = await lastValueFrom(client.get<EchoedRequest>('/api/echo'));
    expect(echo.path).toBe('/api/echo');
    expect(server.stats.tokenRequests).toBe(1);
  });

  it('sends the token as a query parameter when told to', async () => {
    const client = clientWith({ tokenPlacement: { queryParam: 'access_token' } });
    const echo = await lastValueFrom(client.get<EchoedRequest>('/api/echo'));
    expect(echo.query['access_token']).toBe(store.get()!.accessToken);
    expect(echo.headers['authorization']).toBeUndefined();
  });

  it('never sends the token to an origin that is not allowed, and allows listed ones', async () => {
    const other = await startTestServer();
    try {
      const client = clientWith();
      const unlisted = await lastValueFrom(client.get<EchoedRequest>(`${other.url}/public/echo`));
      expect(unlisted.headers['authorization']).toBeUndefined();
      const listed = await lastValueFrom(
        clientWith({ allowedOrigins: [other.url] }).get<EchoedRequest>(`${other.url}/public/echo`),
      );
      expect(listed.headers['authorization']).toBe(`Bearer ${store.get()!.accessToken}`);
    } finally {
      await other.close();
    }
  });

  it('shares one session, hence one refresh, between clients given it as their auth', async () => {
    const session = createAuthSession({ store, refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }) });
    const orders = createHttpClient({ baseUrl: `${server.url}/api/orders`, auth: session });
    const users = createHttpClient({ baseUrl: `${server.url}/api/users`, auth: session });
    const [order, user] = await lastValueFrom(
      forkJoin([orders.get<EchoedRequest>('/7'), users.get<EchoedRequest>('/ada')]),
    );
    expect([order.path, user.path]).toEqual(['/api/orders/7', '/api/users/ada']);
    expect(server.stats.tokenRequests).toBe(1);
    expect(orders.auth).toBe(session);
  });

  it('hides a token sent as a query parameter from errors, whatever the parameter is called', async () => {
    const client = clientWith({ tokenPlacement: { queryParam: 'p' } });
    const token = store.get()!.accessToken;
    const error = await lastValueFrom(client.get('/public/status/500', { retry: 0 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    for (const text of [String(error), inspect(error, { depth: 5 }), JSON.stringify(error)])
      expect(text).not.toContain(token);
    expect((error as HttpError).request?.url).toContain('p=[redacted]');
  });

  it('takes newer tokens stored while its refresh was refused, instead of ending the session', async () => {
    // Another tab refreshed with the same rotating refresh token first, so ours is refused.
    const otherTab = server.issueTokens();
    const client = clientWith({
      refresh: () => {
        store.set(otherTab);
        return throwError(() => ({ status: 400, error: 'invalid_grant' }));
      },
    });
    const seen = events(client);
    const echo = await lastValueFrom(client.get<EchoedRequest>('/api/echo'));
    expect(echo.headers['authorization']).toBe(`Bearer ${otherTab.accessToken}`);
    expect(store.get()).toEqual(otherTab);
    expect(seen).toEqual(['refresh-start', 'refresh-success']);
  });

  it('ends the session on a rejected refresh whatever error type carries the status', async () => {
    const client = clientWith({ refresh: () => throwError(() => ({ status: 401 })) });
    const seen = events(client);
    const error = await lastValueFrom(client.get('/api/echo')).catch((e: unknown) => e);
    expect((error as AuthRefreshError).reason).toBe('rejected');
    expect(store.get()).toBeNull();
    expect(seen).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
  });

  it('keeps two clients apart: each has its own tokens and refresh', async () => {
    const otherTokens = server.issueTokens();
    const otherStore = new MemoryTokenStore(otherTokens);
    const alice = clientWith();
    const bob = createHttpClient({
      baseUrl: server.url,
      auth: { store: otherStore, refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }) },
    });
    const [a, b] = await lastValueFrom(
      forkJoin([alice.get<EchoedRequest>('/api/echo'), bob.get<EchoedRequest>('/api/echo')]),
    );
    expect(a.headers['authorization']).toBe(`Bearer ${store.get()!.accessToken}`);
    expect(b.headers['authorization']).toBe(`Bearer ${otherTokens.accessToken}`);
    expect(server.stats.tokenRequests).toBe(1); // only alice's token had expired
  });

  it('refreshes before sending a JWT whose exp has passed, wasting no 401', async () => {
    const jwtServer = await startTestServer({ jwt: true });
    try {
      // No expiresAt: the expiry comes from the JWT's own exp claim, a second in the past.
      const { accessToken, refreshToken } = jwtServer.issueTokens({ accessTokenLifetimeMs: -1_000 });
      const jwtStore = new MemoryTokenStore({ accessToken, refreshToken });
      const client = createHttpClient({
        baseUrl: jwtServer.url,
        auth: { store: jwtStore, refresh: oauth2Refresh({ tokenUrl: `${jwtServer.url}/oauth/token` }) },
      });
      const echo = await lastValueFrom(client.get<EchoedRequest>('/api/echo'));
      expect(echo.path).toBe('/api/echo');
      expect(jwtServer.stats.tokenRequests).toBe(1);
      expect(jwtServer.stats.unauthorized).toBe(0);
      expect(jwtServer.stats.tokensSeen).toEqual([jwtStore.get()!.accessToken]); // only the refreshed token went out
    } finally {
      await jwtServer.close();
    }
  });

  it('reports a store that throws as TokenStoreError', async () => {
    const broken = {
      get: () => Promise.reject(new Error('keychain locked')),
      set: () => undefined,
      clear: () => undefined,
    };
    const client = createHttpClient({
      baseUrl: server.url,
      auth: { store: broken, refresh: () => throwError(() => new Error('unused')) },
    });
    const error = await lastValueFrom(client.get('/api/echo')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenStoreError);
    expect((error as TokenStoreError).operation).toBe('get');
  });

  it('fails waiters with invalid-tokens when the refresh returns no accessToken', async () => {
    server.failTokenRequests('no_access_token');
    const client = clientWith();
    const error = await lastValueFrom(client.get('/api/echo')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthRefreshError);
    expect((error as AuthRefreshError).reason).toBe('invalid-tokens');
    expect(store.get()).not.toBeNull();
  });

  for (const [what, bad] of [
    ['CR LF', 'tok\r\nX-Injected: 1'],
    ['NUL', 'tok\u0000en'],
    ['a tab', 'tok\ten'],
    ['non-ASCII', 'tokén'],
    ['a leading space', ' tok-leading'],
  ] as const) {
    it(`refuses a new access token with ${what} at the refresh, keeping the old tokens`, async () => {
      const before = store.get();
      const client = clientWith({ refresh: () => of({ accessToken: bad, refreshToken: 'r-next' }) });
      const seen = events(client);
      const errors = await lastValueFrom(
        forkJoin(
          Array.from({ length: 5 }, (_, i) => client.get(`/api/item/${i}`).pipe(catchError((e: unknown) => of(e)))),
        ),
      );
      for (const error of errors) {
        expect(error).toBeInstanceOf(AuthRefreshError);
        expect((error as AuthRefreshError).reason).toBe('invalid-tokens');
        expect(inspect(error, { depth: 5 })).not.toContain(bad);
      }
      expect(seen).toContain('refresh-failure');
      expect(seen).not.toContain('session-expired');
      expect(store.get()).toEqual(before);
    });
  }

  it('emits refresh-start and refresh-success once per expiry, carrying no token', async () => {
    const client = clientWith();
    const collected: AuthEvent[] = [];
    // Every event of the run, not the first two: a third (a second refresh) must fail the spec.
    const events = client.authEvents$.subscribe((event) => collected.push(event));
    await lastValueFrom(forkJoin([client.get('/api/a'), client.get('/api/b')]));
    events.unsubscribe();
    expect(collected.map((event) => event.type)).toEqual(['refresh-start', 'refresh-success']);
    expect(server.stats.tokenRequests).toBe(1);
    expect(JSON.stringify(collected)).not.toContain(store.get()!.accessToken);
  });
});
