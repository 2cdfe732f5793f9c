import { firstValueFrom, lastValueFrom, type Observable, of } from 'rxjs';
import { catchError, filter, switchMap } from 'rxjs/operators';
import {
  AuthRefreshError,
  createAuthSession,
  createHttpClient,
  HttpError,
  MemoryTokenStore,
  oauth2Refresh,
  type AuthEvent,
  type AuthSession,
  type TokenStore,
} from '../../lib';
import { startTestAuthServer, type TestAuthServer } from '../../lib/testing/index';

/** The same tokens behind Promises: a store such as IndexedDB or a native secure store. */
function asynchronous(store: MemoryTokenStore): TokenStore {
  return {
    get: () => Promise.resolve().then(() => store.get()),
    set: (tokens) => Promise.resolve().then(() => store.set(tokens)),
    clear: () => Promise.resolve().then(() => store.clear()),
  };
}

// How a session ends, with plain createAuthSession in Node against the loopback token server.
describe('AuthSession: the end of a session', () => {
  let server: TestAuthServer;
  let store: MemoryTokenStore;
  let session: AuthSession;
  let seen: AuthEvent[];

  beforeEach(async () => {
    server = await startTestAuthServer();
    store = new MemoryTokenStore(server.issueTokens());
    server.expireAccessTokens();
    session = createAuthSession({
      store,
      refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token`, clientId: 'spec' }),
    });
    seen = [];
    session.events$.subscribe((event) => seen.push(event));
  });
  afterEach(() => server.close());

  // The API, called without the auth layer: the session hands each attempt its token.
  const api = () => createHttpClient({ baseUrl: server.url });
  const call = (token: string | null): Observable<unknown> =>
    api().get('/api/echo', { auth: false, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const outcome = (request: Observable<unknown>): Promise<unknown> =>
    lastValueFrom(request.pipe(catchError((error: unknown) => of(error))));

  it('gives every waiter `rejected` even when the app logs out on session-expired, and reports the failure once', async () => {
    server.failTokenRequests('invalid_grant');
    session.events$.pipe(filter((event) => event.type === 'session-expired')).subscribe(() => void session.logout());
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => outcome(session.authorize(call))));
    for (const error of outcomes) {
      expect(error).toBeInstanceOf(AuthRefreshError);
      expect((error as AuthRefreshError).reason).toBe('rejected');
    }
    // One failure, one session end; then the app's own logout, which changes nothing for the waiters.
    expect(seen.map((event) => event.type)).toEqual(['refresh-start', 'refresh-failure', 'session-expired', 'logout']);
    expect(store.get()).toBeNull();
  });

  /** Each event and each of 3 waiters' errors, in order, with what the store held at that moment. */
  function recordSessionEnd(watched: AuthSession): string[] {
    const log: string[] = [];
    const stored = () => (store.get() === null ? 'store empty' : `store holds ${store.get()?.accessToken}`);
    watched.events$.subscribe((event) => log.push(`${event.type}, ${stored()}`));
    for (let i = 0; i < 3; i++) {
      watched.authorize(call).subscribe({
        error: (error: unknown) =>
          log.push(`waiter ${i}: ${(error as Error).name} ${(error as AuthRefreshError).reason}, ${stored()}`),
      });
    }
    return log;
  }

  /** The one order of a session end, as recordSessionEnd logs it: the store is empty from refresh-failure on. */
  const endInOrder = (accessToken: string | undefined, reason: string, end: string): string[] => [
    `refresh-start, store holds ${accessToken}`,
    'refresh-failure, store empty',
    ...[0, 1, 2].map((i) => `waiter ${i}: AuthRefreshError ${reason}, store empty`),
    `${end}, store empty`,
  ];

  // What each listener sees: no handler of any event, and no waiter, finds the dead tokens still stored.
  for (const kind of ['synchronous', 'asynchronous'] as const) {
    it(`ends a session in one order (${kind} store): store cleared, refresh-failure, every waiter's error, session-expired`, async () => {
      server.failTokenRequests('invalid_grant');
      // Known to have expired: each request joins the refresh as it subscribes, before the refresh can settle.
      store.set({ ...store.get()!, expiresAt: Date.now() - 1000 });
      const tokens = store.get();
      const target = kind === 'synchronous' ? store : asynchronous(store);
      const ending = createAuthSession({
        store: target,
        refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token`, clientId: 'spec' }),
      });
      const ended = firstValueFrom(ending.events$.pipe(filter((event) => event.type === 'session-expired')));
      const log = recordSessionEnd(ending);
      await ended;
      expect(log).toEqual(endInOrder(tokens?.accessToken, 'rejected', 'session-expired'));
    });
  }

  it('logs out during a refresh in the same order: store cleared, refresh-failure, the waiters (logged-out), logout', async () => {
    store.set({ ...store.get()!, expiresAt: Date.now() - 1000 });
    const tokens = store.get();
    const release = server.holdTokenRequests();
    const log = recordSessionEnd(session);
    await server.untilTokenRequests(1);
    await session.logout();
    await server.until((stats) => stats.aborted === 1); // the refresh was cancelled: its answer can sign nobody back in
    release();

    expect(log).toEqual(endInOrder(tokens?.accessToken, 'logged-out', 'logout'));
    expect(store.get()).toBeNull();
  });

  it('fails a request whose 401 arrives after the session ended as the waiters failed, keeping the 401 as cause', async () => {
    server.failTokenRequests('invalid_grant');
    const ended = firstValueFrom(session.events$.pipe(filter((event) => event.type === 'session-expired')));
    // Sent with the dead token; its 401 comes back only once the refresh has ended the session.
    const late = outcome(
      session.authorize((token) =>
        of(null).pipe(
          switchMap(() => ended),
          switchMap(() => call(token)),
        ),
      ),
    );
    const waiters = Array.from({ length: 9 }, () => outcome(session.authorize(call)));
    const errors = await Promise.all([...waiters, late]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(AuthRefreshError);
      expect((error as AuthRefreshError).reason).toBe('rejected');
    }
    const lateError = errors[9] as AuthRefreshError;
    expect(lateError.cause).toBeInstanceOf(HttpError);
    expect((lateError.cause as HttpError).status).toBe(401);
    expect(server.stats.tokenRequests).toBe(1);
    // A request sent signed out gets the API's own answer: there was no session to end.
    const signedOut = await outcome(session.authorize(call));
    expect(signedOut).toBeInstanceOf(HttpError);
    expect((signedOut as HttpError).status).toBe(401);
  });

  it('keeps the tokens when the token endpoint refuses the client (invalid_client), naming the code in the error', async () => {
    server.failTokenRequests('invalid_client'); // 401 {"error":"invalid_client"}
    const before = store.get();
    const error = (await outcome(session.authorize(call))) as AuthRefreshError;
    expect(error).toBeInstanceOf(AuthRefreshError);
    expect(error.reason).toBe('failed');
    expect(error.oauthError).toBe('invalid_client');
    expect(error.message).toContain('invalid_client');
    expect(store.get()).toBe(before);
    expect(seen.map((event) => event.type)).toEqual(['refresh-start', 'refresh-failure']);
    // The refresh token was never dead, and the session backs off before it asks again: a request
    // right after gets the same failure, calling no one (spec/auth/auth-session.marbles.spec.ts: then it does).
    server.recoverTokenEndpoint();
    expect(await outcome(session.authorize(call))).toBe(error);
    expect(server.stats.tokenRequests).toBe(1);
  });

  it('logs out locally whatever revoke does, and revokes only a session that had tokens', async () => {
    const revoked: string[] = [];
    const revoking = createAuthSession({
      store,
      refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }),
      revoke: (tokens) => {
        revoked.push(tokens.refreshToken ?? '');
        throw new Error('revocation endpoint unreachable');
      },
    });
    const events: AuthEvent['type'][] = [];
    revoking.events$.subscribe((event) => events.push(event.type));
    const refreshToken = store.get()!.refreshToken!;
    await expectAsync(revoking.logout()).toBeResolved();
    expect(store.get()).toBeNull();
    expect(revoked).toEqual([refreshToken]);
    expect(events).toEqual(['logout', 'revoke-failure']);
    await revoking.logout(); // signed out already: nothing to revoke
    expect(revoked.length).toBe(1);
  });

  it('names invalid_grant in the error that ends the session', async () => {
    server.failTokenRequests('invalid_grant');
    const error = (await outcome(session.authorize(call))) as AuthRefreshError;
    expect(error.reason).toBe('rejected');
    expect(error.oauthError).toBe('invalid_grant');
    expect(error.message).toBe('token refresh failed (rejected: invalid_grant)');
    expect(JSON.stringify(error)).toContain('"oauthError":"invalid_grant"');
  });
});
