import { forkJoin, lastValueFrom, type Observable } from 'rxjs';
import { catchError, map } from 'rxjs/operators';
import {
  AuthRefreshError,
  type AuthOptions,
  createHttpClient,
  type HttpError,
  MemoryTokenStore,
  NetworkError,
  oauth2Refresh,
  ResponseParseError,
  type AuthEvent,
  type AuthRefreshFailureReason,
  type AuthTokens,
  type HttpClient,
} from '../../lib';
import { startTestServer, type TestServer, type TokenFault } from '../../test-server/start-test-server';

// Faults injected into the real loopback token server and API. Each spec checks what the callers
// got, what the store holds afterwards, and that every request ended (a hang fails the spec by
// its jasmine timeout, which is only a guard: nothing here waits on a clock).
describe('token endpoint and API faults, against a real server', () => {
  const CALLERS = 5;
  let server: TestServer;
  let store: MemoryTokenStore;
  let stale: AuthTokens;

  beforeEach(async () => {
    server = await startTestServer();
    stale = server.issueTokens();
    server.expireAccessTokens();
    store = new MemoryTokenStore(stale);
  });
  afterEach(() => server.close());

  // The back-off after a failed refresh is off here, so that the recovery can be seen at once; the
  // last spec shows it on.
  function client(
    refreshTimeout = 30_000,
    refreshBackoff: AuthOptions['refreshBackoff'] = false,
  ): { client: HttpClient; events: AuthEvent[] } {
    const events: AuthEvent[] = [];
    const made = createHttpClient({
      baseUrl: server.url,
      retry: { baseDelayMs: 5 },
      auth: {
        store,
        refreshTimeout,
        refreshBackoff,
        refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }),
      },
    });
    made.authEvents$.subscribe((event) => events.push(event));
    return { client: made, events };
  }

  // `CALLERS` concurrent GETs; each settles to its value or its error (never both, never neither).
  function concurrentGets(made: HttpClient): Promise<unknown[]> {
    const settled = (i: number): Observable<unknown> =>
      made.get(`/api/item/${i}`).pipe(catchError((error: unknown) => [error]));
    return lastValueFrom(forkJoin(Array.from({ length: CALLERS }, (_, i) => settled(i))));
  }

  function expectAllRefreshErrors(outcomes: unknown[], reason: AuthRefreshFailureReason): AuthRefreshError[] {
    expect(outcomes.length).toBe(CALLERS);
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(AuthRefreshError);
      expect((outcome as AuthRefreshError).reason).toBe(reason);
    }
    return outcomes as AuthRefreshError[];
  }

  // After a transient fault the tokens are kept and the next request refreshes anew and succeeds.
  async function expectRecovery(made: HttpClient): Promise<void> {
    expect(store.get()).toEqual(stale);
    server.recoverTokenEndpoint();
    server.configure({ tokenDelayMs: 0 });
    const callsBefore = server.stats.tokenRequests;
    const echo = await lastValueFrom(made.get<{ path: string }>('/api/again'));
    expect(echo.path).toBe('/api/again');
    expect(server.stats.tokenRequests).toBe(callsBefore + 1);
    expect(store.get()?.accessToken).not.toBe(stale.accessToken);
    expect(server.stats.refreshTokenReuse).toBe(0);
  }

  const transient: ReadonlyArray<[TokenFault | 'reset', AuthRefreshFailureReason, (cause: unknown) => void]> = [
    ['server_error', 'failed', (cause) => expect((cause as HttpError).status).toBe(500)],
    ['malformed', 'failed', (cause) => expect(cause).toBeInstanceOf(ResponseParseError)],
    ['reset', 'failed', (cause) => expect((cause as NetworkError).code).toBe('ECONNRESET')],
    ['no_access_token', 'invalid-tokens', (cause) => expect(cause).toBeInstanceOf(TypeError)],
  ];

  for (const [fault, reason, checkCause] of transient) {
    it(`fails every waiter with AuthRefreshError '${reason}' on '${fault}', after one refresh, and keeps the tokens`, async () => {
      server.failTokenRequests(fault);
      const { client: made, events } = client();
      const errors = expectAllRefreshErrors(await concurrentGets(made), reason);
      checkCause(errors[0]?.cause);
      expect(new Set(errors).size).withContext('one shared refresh outcome').toBe(1);
      expect(server.stats.tokenRequests).toBe(1);
      expect(events.map((event) => event.type)).toEqual(['refresh-start', 'refresh-failure']);
      await expectRecovery(made);
    });
  }

  it("fails every waiter with AuthRefreshError 'timeout' when the token endpoint is slower than refreshTimeout, and cancels the call", async () => {
    server.configure({ tokenDelayMs: 5_000 });
    const { client: made } = client(150);
    expectAllRefreshErrors(await concurrentGets(made), 'timeout');
    expect(server.stats.tokenRequests).toBe(1);
    await server.until((stats) => stats.aborted >= 1); // the token request was aborted, not left open
    await expectRecovery(made);
  });

  it('backs off after a transient fault: the next request gets the same failure and calls no one', async () => {
    server.failTokenRequests('unavailable');
    const { client: made, events } = client(30_000, { firstMs: 60_000, maxMs: 60_000 });
    const first = await lastValueFrom(made.get('/api/one')).catch((error: unknown) => error);
    expect((first as AuthRefreshError).reason).toBe('failed');
    server.recoverTokenEndpoint();
    const again = await lastValueFrom(made.get('/api/two')).catch((error: unknown) => error);
    expect(again).toBe(first);
    expect(server.stats.tokenRequests).toBe(1);
    expect(events.map((event) => event.type)).toEqual(['refresh-start', 'refresh-failure']);
    expect(store.get()).toEqual(stale);
  });

  it("fails with 'timeout' on a token endpoint that never answers", async () => {
    server.failTokenRequests('hang');
    const { client: made } = client(150);
    expectAllRefreshErrors(await concurrentGets(made), 'timeout');
    await expectRecovery(made);
  });

  it("ends the session with 'rejected' on invalid_grant: the store is cleared, no second refresh", async () => {
    server.failTokenRequests('invalid_grant');
    const { client: made, events } = client();
    expectAllRefreshErrors(await concurrentGets(made), 'rejected');
    expect(store.get()).toBeNull();
    expect(events.map((event) => event.type)).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
    // Signed out now: a request goes without a token, gets its 401, and does not refresh.
    const error = await lastValueFrom(made.get('/api/after')).catch((e: unknown) => e);
    expect((error as HttpError).status).toBe(401);
    expect(server.stats.tokenRequests).toBe(1);
  });

  describe('an API that drops connections', () => {
    beforeEach(() => {
      store.set(server.issueTokens()); // a valid token: the faults here are the API's
    });

    it('retries an idempotent request on the NetworkError and succeeds, keeping the tokens', async () => {
      const { client: made } = client();
      const before = store.get();
      const results = await lastValueFrom(
        forkJoin(
          Array.from({ length: CALLERS }, (_, i) =>
            made.get<{ path: string }>(`/api/flaky?key=drop-${i}&status=drop`).pipe(map((echo) => echo.path)),
          ),
        ),
      );
      expect(results).toEqual(Array.from({ length: CALLERS }, () => '/api/flaky'));
      for (let i = 0; i < CALLERS; i++) expect(server.flakyHits.get(`drop-${i}`)).toBe(2);
      expect(store.get()).toBe(before);
      expect(server.stats.tokenRequests).toBe(0);
    });

    it('gives a POST the NetworkError at once, and a GET to a route that always drops it after the retries', async () => {
      const { client: made } = client();
      const before = store.get();
      const post = await lastValueFrom(made.post('/api/flaky?key=post&status=drop', { n: 1 })).catch((e: unknown) => e);
      expect(post).toBeInstanceOf(NetworkError);
      expect(server.flakyHits.get('post')).toBe(1);
      const apiBefore = server.stats.apiRequests;
      const get = await lastValueFrom(made.get('/api/drop')).catch((e: unknown) => e);
      expect(get).toBeInstanceOf(NetworkError);
      expect(server.stats.apiRequests - apiBefore).toBe(3);
      expect(server.stats.tokenRequests).toBe(0);
      expect(store.get()).toBe(before); // a network fault is not a reason to touch the tokens
    });
  });
});
