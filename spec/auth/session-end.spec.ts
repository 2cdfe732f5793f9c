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
} from '../../lib';
import { startTestAuthServer, type TestAuthServer } from '../../lib/testing/index';

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
    // The refresh token was never dead: once the client is fixed, the same session refreshes.
    server.recoverTokenEndpoint();
    expect(await lastValueFrom(session.authorize(call))).toEqual(jasmine.objectContaining({ path: '/api/echo' }));
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
