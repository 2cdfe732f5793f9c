import { forkJoin, lastValueFrom, type Observable, of, timer } from 'rxjs';
import { catchError } from 'rxjs/operators';
import { TestScheduler } from 'rxjs/testing';
import {
  AuthRefreshError,
  createAuthSession,
  createHttpClient,
  HttpError,
  MemoryTokenStore,
  oauth2Refresh,
  RefreshStormError,
  type AuthEvent,
  type AuthTokens,
  type HttpClient,
  type HttpInterceptor,
} from '../../lib';
import { startTestAuthServer, type TestAuthServer } from '../../lib/testing/index';

describe('the refresh-storm guard', () => {
  describe('against a misconfigured real server that rejects every fresh token', () => {
    let server: TestAuthServer;
    let store: MemoryTokenStore;
    beforeEach(async () => {
      server = await startTestAuthServer();
      store = new MemoryTokenStore(server.issueTokens());
    });
    afterEach(() => server.close());

    // Expiring every token before each attempt makes the API refuse whatever the token server issued.
    const rejectEveryToken: HttpInterceptor = (req, next) => {
      server.expireAccessTokens();
      return next(req);
    };

    function client(maxRefreshes: { count: number; windowMs: number }): { client: HttpClient; events: AuthEvent[] } {
      const events: AuthEvent[] = [];
      const made = createHttpClient({
        baseUrl: server.url,
        interceptors: [rejectEveryToken],
        auth: { store, maxRefreshes, refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }) },
      });
      made.authEvents$.subscribe((event) => events.push(event));
      return { client: made, events };
    }

    const outcome = (made: HttpClient): Promise<unknown> =>
      lastValueFrom(made.get('/api/me')).catch((error: unknown) => error);

    it('refreshes K times, then fails with a typed storm error instead of calling the token endpoint again', async () => {
      const { client: made, events } = client({ count: 3, windowMs: 60_000 });
      for (let i = 0; i < 3; i++) {
        const error = await outcome(made);
        expect((error as HttpError).status)
          .withContext(`request ${i}`)
          .toBe(401); // refreshed, and the new token was refused too
      }
      expect(server.stats.tokenRequests).toBe(3);
      for (let i = 0; i < 5; i++) {
        const error = await outcome(made);
        expect(error).toBeInstanceOf(AuthRefreshError);
        expect((error as AuthRefreshError).reason).toBe('storm');
        expect((error as AuthRefreshError).cause).toEqual(jasmine.any(RefreshStormError));
        expect(((error as AuthRefreshError).cause as RefreshStormError).toJSON()).toEqual(
          jasmine.objectContaining({ name: 'RefreshStormError', count: 3, windowMs: 60_000 }),
        );
      }
      expect(server.stats.tokenRequests).withContext('the token endpoint is left alone').toBe(3);
      expect(store.get()).withContext('tokens are kept: a storm is not a logout').not.toBeNull();
      // The first refusal is an event; the four after it, in its back-off, get its error and emit nothing.
      const failures = events.filter((event) => event.type === 'refresh-failure');
      expect(failures.length).toBe(1);
      expect(events.filter((event) => event.type === 'refresh-start').length).toBe(3);
      expect(events.some((event) => event.type === 'session-expired')).toBeFalse();
    });

    it('bounds the refreshes of 50 concurrent requests by K and ends every one of them', async () => {
      const { client: made } = client({ count: 4, windowMs: 60_000 });
      const settled = (i: number): Observable<unknown> =>
        made.get(`/api/item/${i}`).pipe(catchError((error: unknown) => of(error)));
      const outcomes = await lastValueFrom(forkJoin(Array.from({ length: 50 }, (_, i) => settled(i))));
      expect(outcomes.length).toBe(50);
      expect(outcomes.every((error) => error instanceof HttpError || error instanceof AuthRefreshError)).toBeTrue();
      expect(server.stats.tokenRequests).toBeLessThanOrEqual(4);
      expect(server.stats.refreshTokenReuse).toBe(0);
    });
  });

  describe('in virtual time', () => {
    let scheduler: TestScheduler;
    beforeEach(() => {
      scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    });

    it('allows refreshes again once the window has passed', () => {
      scheduler.run((run) => {
        let calls = 0;
        let current: AuthTokens = { accessToken: 'a0', refreshToken: 'r0' };
        const store = new MemoryTokenStore(current);
        const session = createAuthSession({
          store,
          maxRefreshes: { count: 2, windowMs: 1000 },
          refresh: () => {
            calls++;
            current = { accessToken: `a${calls}`, refreshToken: `r${calls}` };
            return run.cold('-(t|)', { t: current });
          },
        });
        // An API that refuses every token: each request refreshes once and fails with its 401.
        const refuse = (): Observable<never> => run.cold('-#', undefined, { status: 401 });
        const outcomes: string[] = [];
        const request = (frame: number) =>
          timer(frame).subscribe(() =>
            session.authorize(refuse).subscribe({
              error: (error: unknown) =>
                outcomes.push(
                  error instanceof AuthRefreshError ? error.reason : String((error as { status: number }).status),
                ),
            }),
          );
        request(0);
        request(10);
        request(20); // third refresh within 1000 ms: storm
        request(1100); // the first start (frame 1) has left the window
        run.flush();
        expect(outcomes).toEqual(['401', '401', 'storm', '401']);
        expect(calls).toBe(3);
      });
    });
  });
});

describe('a token endpoint outage (virtual time): what docs/session-expiry.md says happens', () => {
  it('costs one token call per back-off, not one per request, and the storm guard stays quiet', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run((run) => {
      let down = true;
      const calls: number[] = [];
      const session = createAuthSession({
        store: new MemoryTokenStore({ accessToken: 'old', refreshToken: 'r0' }),
        maxRefreshes: { count: 3, windowMs: 1000 },
        refresh: () => {
          calls.push(scheduler.now());
          return down
            ? run.cold('-#', undefined, { status: 503 })
            : run.cold('-(t|)', { t: { accessToken: 'new', refreshToken: 'r1' } });
        },
      });
      // The API refuses the old token after `latency` frames and accepts the new one.
      const api = (latency: number) => (token: string | null) =>
        token === 'new'
          ? run.cold('-(v|)', { v: 'ok' })
          : run.cold(`${'-'.repeat(latency)}#`, undefined, { status: 401 });
      const outcomes: string[] = [];
      const request = (frame: number, latency = 1) =>
        timer(frame).subscribe(() =>
          session.authorize(api(latency)).subscribe({
            next: (value) => outcomes.push(`${frame}: ${value}`),
            error: (error: AuthRefreshError) => outcomes.push(`${frame}: ${error.reason}`),
          }),
        );
      // A burst: one refresh (frames 1-2); the late 401s get its failure, with no token call of their own.
      request(0);
      request(0, 5);
      request(0, 9);
      // Then one request at a time, within the back-off (1 s from the failure at frame 2): no call.
      request(100);
      request(200);
      request(300);
      timer(400).subscribe(() => (down = false)); // the endpoint is back...
      request(500); // ...but the back-off still runs: the failure it remembers
      request(1002); // the back-off is over: a refresh, which now succeeds
      run.flush();
      expect(outcomes).toEqual([
        '0: failed',
        '0: failed',
        '0: failed',
        '100: failed',
        '200: failed',
        '300: failed',
        '500: failed',
        '1002: ok',
      ]);
      expect(calls).toEqual([1, 1003]);
    });
  });
});

describe('refreshTimeout (virtual time)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('fails every waiter with a timeout, keeps the tokens, and lets a request after the back-off refresh anew', () => {
    scheduler.run((run) => {
      const stale: AuthTokens = { accessToken: 'old', refreshToken: 'r0' };
      const store = new MemoryTokenStore(stale);
      const refreshes: string[] = [];
      const session = createAuthSession({
        store,
        refreshTimeout: 100,
        // The first refresh never answers; the second answers after 5 frames.
        refresh: () => {
          refreshes.push('call');
          return refreshes.length === 1
            ? run.cold('-')
            : run.cold('-----(t|)', { t: { accessToken: 'new', refreshToken: 'r1' } });
        },
      });
      const api = (token: string | null) =>
        token === 'new' ? run.cold('-(v|)', { v: token }) : run.cold('-#', undefined, { status: 401 });
      const timeout = new AuthRefreshError('timeout');
      // 401 at frame 1, the refresh gives up 100 frames later.
      run.expectObservable(session.authorize(api)).toBe('101ms #', undefined, timeout);
      run.expectObservable(session.authorize(api)).toBe('101ms #', undefined, timeout);
      const keptAfterTimeout: Array<AuthTokens | null> = [];
      timer(150).subscribe(() => keptAfterTimeout.push(store.get()));
      // At 200, within the back-off (1 s from the failure at 101): the same timeout, no call.
      run.expectObservable(session.authorize(api), '200ms ^').toBe('201ms #', undefined, timeout);
      // At 1200, after it: 401 at 1201, refresh 1201-1206, retry answers at 1207.
      run.expectObservable(session.authorize(api), '1200ms ^').toBe('1207ms (v|)', { v: 'new' });
      run.flush();
      expect(keptAfterTimeout).toEqual([stale]);
      expect(refreshes.length).toBe(2);
      expect(store.get()?.accessToken).toBe('new');
    });
  });
});
