import { firstValueFrom, forkJoin, lastValueFrom, type Observable, throwError } from 'rxjs';
import {
  AuthRefreshError,
  createHttpClient,
  MemoryTokenStore,
  oauth2Refresh,
  RefreshLockError,
  type AuthOptions,
  type AuthTokens,
  type HttpClient,
  type RefreshLock,
  type TokenStore,
} from '../../lib';
import { QueueRefreshLock } from '../support/queue-refresh-lock';
import { startTestAuthServer, type TestAuthServer, type EchoedRequest } from '../../lib/testing/index';

// Two clients sharing one store stand in for two processes sharing one credential.
describe('auth.lock, the seam that shares a refresh between contexts', () => {
  let server: TestAuthServer;
  let store: MemoryTokenStore;

  beforeEach(async () => {
    server = await startTestAuthServer();
    store = new MemoryTokenStore(server.issueTokens());
    server.expireAccessTokens();
  });
  afterEach(() => server.close());

  const clientWith = (auth: Partial<AuthOptions>): HttpClient =>
    createHttpClient({
      baseUrl: server.url,
      auth: { store, refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }), ...auth },
    });

  // Both contexts have had their 401 before the first refresh answers: both want to refresh.
  async function bothRejectedThenRefreshed(a: HttpClient, b: HttpClient): Promise<EchoedRequest[]> {
    const release = server.holdTokenRequests();
    const done = lastValueFrom(forkJoin([a.get<EchoedRequest>('/api/a'), b.get<EchoedRequest>('/api/b')]));
    await server.until((stats) => stats.unauthorized >= 2 && stats.tokenRequests >= 1);
    release();
    return done;
  }

  it('refreshes once for two contexts: the second re-reads the store inside the lock and uses the new tokens', async () => {
    const lock = new QueueRefreshLock();
    const [a, b] = [clientWith({ lock }), clientWith({ lock })];
    const echoes = await bothRejectedThenRefreshed(a, b);
    expect(echoes.map((echo) => echo.path)).toEqual(['/api/a', '/api/b']);
    expect(server.stats.tokenRequests).toBe(1);
    expect(server.stats.refreshTokenReuse).toBe(0);
    expect(lock.taken).toBe(2);
  });

  it('without a lock each context refreshes on its own, which spends a rotated refresh token twice', async () => {
    const [a, b] = [clientWith({}), clientWith({})];
    await bothRejectedThenRefreshed(a, b).catch(() => undefined);
    expect(server.stats.tokenRequests).toBe(2);
    expect(server.stats.refreshTokenReuse).toBe(1);
  });

  it('fails a refresh whose lock fails with AuthRefreshError "lock", keeps the tokens and never refreshes unlocked', async () => {
    const unavailable: RefreshLock = {
      withLock: <T>(): Observable<T> => throwError(() => new RefreshLockError('unavailable')),
    };
    const before = store.get();
    const error = await firstValueFrom(clientWith({ lock: unavailable }).get('/api/me')).catch((e: unknown) => e);
    expect(error).toEqual(jasmine.any(AuthRefreshError));
    expect((error as AuthRefreshError).reason).toBe('lock');
    expect(((error as AuthRefreshError).cause as RefreshLockError).reason).toBe('unavailable');
    expect(server.stats.tokenRequests).toBe(0);
    expect(store.get()).toBe(before);
  });

  it("writes with the store's compare-and-set, and takes the newer tokens when another writer won", async () => {
    const newer = server.issueTokens();
    const replaced: Array<[string, string]> = [];
    // A store whose record moved on while the refresh ran (as after a lease ran out elsewhere).
    const shared: TokenStore = {
      get: () => store.get(),
      set: (tokens) => store.set(tokens),
      clear: () => store.clear(),
      replace: (stale: AuthTokens, fresh: AuthTokens) => {
        replaced.push([stale.accessToken, fresh.accessToken]);
        store.set(newer);
        return newer;
      },
    };
    const client = createHttpClient({
      baseUrl: server.url,
      auth: { store: shared, refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }) },
    });
    const echo = await firstValueFrom(client.get<EchoedRequest>('/api/me'));
    expect(replaced.length).toBe(1);
    expect(echo.headers['authorization']).toBe(`Bearer ${newer.accessToken}`);
    expect(store.get()).toEqual(newer);
  });

  it('rejects a lock that is not a RefreshLock', () => {
    expect(() => clientWith({ lock: {} as RefreshLock })).toThrowError(TypeError, /auth.lock/);
  });
});
