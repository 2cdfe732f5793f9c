import { defer, finalize, type Observable, timer } from 'rxjs';
import { TestScheduler, type RunHelpers } from 'rxjs/testing';
import { AuthRefreshError, createAuthSession, MemoryTokenStore, type AuthOptions, type AuthTokens } from '../../lib';

// Marble tests pin down the timing of the coordination: which attempt waits for what, and when.
// The "server" is a function of the token: the current token succeeds, any other gets a 401.
describe('AuthSession timing (marbles)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  const unauthorized = { status: 401 };

  function setUp(run: RunHelpers, refreshMarbles: string, extra: Partial<AuthOptions> = {}) {
    const store = new MemoryTokenStore({ accessToken: 'old', refreshToken: 'r0' });
    let refreshCalls = 0;
    const session = createAuthSession({
      store,
      refresh: () => {
        refreshCalls++;
        return run.cold(
          refreshMarbles,
          { n: { accessToken: 'new', refreshToken: 'r1' } },
          new Error('token endpoint down'),
        );
      },
      ...extra,
    });
    // An API that accepts only the token 'new' and answers after one frame.
    const api = (token: string | null): Observable<string> =>
      token === 'new' ? run.cold('-(v|)', { v: `ok:${token}` }) : run.cold('-#', undefined, unauthorized);
    return { store, session, api, refreshes: () => refreshCalls };
  }

  it('shares one refresh between requests that fail together, then retries each', () => {
    scheduler.run((run) => {
      const { session, api, refreshes } = setUp(run, '---(n|)');
      // 401 at frame 1, refresh frames 1-4, retry answers at frame 5.
      run.expectObservable(session.authorize(api)).toBe('-----(v|)', { v: 'ok:new' });
      run.expectObservable(session.authorize(api)).toBe('-----(v|)', { v: 'ok:new' });
      run.flush();
      expect(refreshes()).toBe(1);
    });
  });

  it('makes a request started during the refresh wait for it instead of sending the old token', () => {
    scheduler.run((run) => {
      const { session, api, refreshes } = setUp(run, '---(n|)');
      const sentTokens: Array<string | null> = [];
      const recording = (token: string | null) => {
        sentTokens.push(token);
        return api(token);
      };
      run.expectObservable(session.authorize(recording)).toBe('-----(v|)', { v: 'ok:new' });
      // Subscribes at frame 2, while the refresh runs: sends once, with the new token.
      run.expectObservable(session.authorize(recording), '--^').toBe('-----(v|)', { v: 'ok:new' });
      run.flush();
      expect(refreshes()).toBe(1);
      expect(sentTokens).toEqual(['old', 'new', 'new']);
    });
  });

  it('retries a stale 401 at once, without a refresh, when the token already changed', () => {
    scheduler.run((run) => {
      const { store, session, refreshes } = setUp(run, '---(n|)');
      const slowApi = (token: string | null) =>
        token === 'new' ? run.cold('-(v|)', { v: token }) : run.cold('---#', undefined, unauthorized);
      // Someone stores new tokens at frame 1, before the 401 for 'old' arrives at frame 3.
      run.cold('-x').subscribe(() => store.set({ accessToken: 'new', refreshToken: 'r1' }));
      run.expectObservable(session.authorize(slowApi)).toBe('----(v|)', { v: 'new' });
      run.flush();
      expect(refreshes()).toBe(0);
    });
  });

  it('gives every waiter the refresh failure, keeps the tokens, and refreshes anew after the back-off', () => {
    scheduler.run((run) => {
      const { store, session, api, refreshes } = setUp(run, '--#');
      const failed = (error: unknown) => error instanceof AuthRefreshError && error.reason === 'failed';
      const outcomes: boolean[] = [];
      const record = { next: () => outcomes.push(false), error: (error: unknown) => outcomes.push(failed(error)) };
      session.authorize(api).subscribe(record);
      session.authorize(api).subscribe(record);
      run.flush();
      expect(outcomes).toEqual([true, true]);
      expect(store.get()?.accessToken).toBe('old');
      // Not cached for good: once the back-off (1 s, refreshBackoff) is over, the next 401 refreshes anew.
      timer(1000).subscribe(() => session.authorize(api).subscribe(record));
      run.flush();
      expect(refreshes()).toBe(2);
    });
  });

  it('gives the late 401s of a burst the failure of its refresh, and lets a request after its back-off try again', () => {
    scheduler.run((run) => {
      const { session, refreshes } = setUp(run, '--#');
      // Ten requests sent together; their 401s arrive one per frame (frames 1 to 10). The first
      // starts a refresh that fails at frame 3: the 401s after it get that failure, no new refresh.
      const staggered = (delay: number) => (token: string | null) =>
        token === 'new' ? run.cold('-(v|)', { v: token }) : run.cold(`${'-'.repeat(delay)}#`, undefined, unauthorized);
      const errors: unknown[] = [];
      for (let i = 1; i <= 10; i++)
        session.authorize(staggered(i)).subscribe({ error: (e: unknown) => errors.push(e) });
      run.flush();
      expect(refreshes()).toBe(1);
      expect(errors.length).toBe(10);
      expect(new Set(errors).size).toBe(1); // the same AuthRefreshError, not ten made up
      expect((errors[0] as AuthRefreshError).reason).toBe('failed');
      // Sent after the failure, once its back-off is over: a new refresh.
      timer(1000).subscribe(() => session.authorize(staggered(1)).subscribe({ error: (e: unknown) => errors.push(e) }));
      run.flush();
      expect(refreshes()).toBe(2);
    });
  });

  it('backs off after a failed refresh: 1 s, then doubling, and no wait for newer tokens', () => {
    scheduler.run((run) => {
      const { store, session, api, refreshes } = setUp(run, '-#');
      const outcomes: string[] = [];
      const request = (frame: number) =>
        timer(frame).subscribe(() =>
          session.authorize(api).subscribe({
            next: (value) => outcomes.push(`${frame}: ${value}`),
            error: (error: AuthRefreshError) => outcomes.push(`${frame}: ${error.reason} (${refreshes()} calls)`),
          }),
        );
      request(0); // 401 at 1, the refresh fails at 2: back-off until 1002
      request(500); // within it: the same failure, no call
      request(1002); // after it: a call, which fails at 1004; back-off 2 s, until 3004
      request(2500); // within the doubled back-off
      request(3004); // a third call
      run.flush();
      expect(outcomes).toEqual([
        '0: failed (1 calls)',
        '500: failed (1 calls)',
        '1002: failed (2 calls)',
        '2500: failed (2 calls)',
        '3004: failed (3 calls)',
      ]);
      // Newer tokens (a login, another tab) owe nothing to the old token's failures: no wait.
      store.set({ accessToken: 'new', refreshToken: 'r1' });
      const answers: string[] = [];
      session.authorize(api).subscribe((value) => answers.push(value));
      run.flush();
      expect(answers).toEqual(['ok:new']);
      expect(refreshes()).toBe(3);
    });
  });

  it('sends a token due for refresh while it is valid during the back-off, and fails at once once it has expired', () => {
    scheduler.run((run) => {
      let calls = 0;
      // Expires at frame 5000; refreshed from frame 4000 on (expirySkew 1000), by a refresh that fails.
      const store = new MemoryTokenStore({ accessToken: 'old', refreshToken: 'r0', expiresAt: 5000 });
      const session = createAuthSession({
        store,
        expirySkew: 1000,
        refresh: () => (calls++, run.cold('-#', undefined, new Error('token endpoint down'))),
      });
      const sent: string[] = [];
      const api = (token: string | null) => (
        sent.push(`${scheduler.now()}: ${token}`),
        run.cold('-(v|)', { v: token })
      );
      const outcomes: string[] = [];
      const request = (frame: number) =>
        timer(frame).subscribe(() =>
          session.authorize(api).subscribe({
            next: (value) => outcomes.push(`${frame}: ${value}`),
            error: (error: AuthRefreshError) => outcomes.push(`${frame}: ${error.reason}`),
          }),
        );
      request(4000); // due: refreshes, fails at 4001; back-off until 5001
      request(4500); // due, in the back-off, still valid: sent with it
      request(5000); // expired, in the back-off: that refresh's failure, nothing sent
      request(5001); // the back-off is over: refreshes again
      run.flush();
      expect(outcomes).toEqual(['4000: failed', '4500: old', '5000: failed', '5001: failed']);
      expect(sent).toEqual(['4500: old']);
      expect(calls).toBe(2);
    });
  });

  it('tears the failed attempt down before the retry subscribes, as catchError does', () => {
    scheduler.run((run) => {
      const { store, session } = setUp(run, '---(n|)');
      const log: string[] = [];
      // An attempt whose teardown (an interceptor's finalize, say) logs; the 401 for 'old' comes
      // at frame 2, after someone stored 'new' at frame 1: the retry goes out at once.
      const attempt = (token: string | null) =>
        defer(() => {
          log.push(`subscribe ${token}`);
          return token === 'new' ? run.cold('-(v|)', { v: token }) : run.cold('--#', undefined, unauthorized);
        }).pipe(finalize(() => log.push(`teardown ${token}`)));
      run.cold('-x').subscribe(() => store.set({ accessToken: 'new', refreshToken: 'r1' }));
      run.expectObservable(session.authorize(attempt)).toBe('---(v|)', { v: 'new' });
      run.flush();
      expect(log).toEqual(['subscribe old', 'teardown old', 'subscribe new', 'teardown new']);
    });
  });

  it('keeps the refresh running for the others when one waiter unsubscribes', () => {
    scheduler.run((run) => {
      const { store, session, api, refreshes } = setUp(run, '---(n|)');
      run.expectObservable(session.authorize(api), '^--!').toBe('---');
      run.expectObservable(session.authorize(api)).toBe('-----(v|)', { v: 'ok:new' });
      run.flush();
      expect(refreshes()).toBe(1);
      expect(store.get()?.refreshToken).toBe('r1');
    });
  });

  it('completes the refresh and stores the rotated token when every waiter has gone', () => {
    scheduler.run((run) => {
      const { store, session, api, refreshes } = setUp(run, '-----(n|)');
      run.expectObservable(session.authorize(api), '^-!').toBe('--');
      run.expectObservable(session.authorize(api), '^--!').toBe('---');
      run.flush();
      expect(refreshes()).toBe(1);
      expect(store.get()).toEqual({ accessToken: 'new', refreshToken: 'r1' });
    });
  });

  it('never caches a success: a later expiry runs a new refresh', () => {
    scheduler.run((run) => {
      const { store, session, api, refreshes } = setUp(run, '-(n|)');
      run.expectObservable(session.authorize(api)).toBe('---(v|)', { v: 'ok:new' });
      run.flush();
      store.set({ accessToken: 'old', refreshToken: 'r1' }); // the new token expired in turn
      session.authorize(api).subscribe();
      run.flush();
      expect(refreshes()).toBe(2);
    });
  });

  it('retries once only: a second 401 reaches the caller and no second refresh runs', () => {
    scheduler.run((run) => {
      const { session, refreshes } = setUp(run, '-(n|)');
      const alwaysUnauthorized = () => run.cold('-#', undefined, unauthorized);
      run.expectObservable(session.authorize(alwaysUnauthorized)).toBe('---#', undefined, unauthorized);
      run.flush();
      expect(refreshes()).toBe(1);
    });
  });

  it('bounds a refresh that never answers with refreshTimeout', () => {
    scheduler.run((run) => {
      const { store, session, api } = setUp(run, '-', { refreshTimeout: 50 });
      let reason: string | undefined;
      session.authorize(api).subscribe({ error: (error: AuthRefreshError) => (reason = error.reason) });
      run.flush();
      expect(reason).toBe('timeout');
      expect(store.get()?.accessToken).toBe('old');
    });
  });

  it('refreshes before sending a token that expires within the skew', () => {
    scheduler.run((run) => {
      const { store, session, api, refreshes } = setUp(run, '--(n|)', { expirySkew: 100 });
      store.set({ accessToken: 'old', refreshToken: 'r0', expiresAt: 80 } satisfies AuthTokens);
      const sent: Array<string | null> = [];
      run
        .expectObservable(session.authorize((token) => (sent.push(token), api(token))))
        .toBe('---(v|)', { v: 'ok:new' });
      run.flush();
      expect(sent).toEqual(['new']); // no 401 round trip was wasted
      expect(refreshes()).toBe(1);
    });
  });

  it('fails the waiters on logout once the store is cleared, and drops the refresh result', async () => {
    let loggedOut: Promise<void> | undefined;
    let reason: string | undefined;
    let storeAtFailure: AuthTokens | null | undefined;
    const { store } = scheduler.run((run) => {
      const { store, session, api } = setUp(run, '-----(n|)');
      run.cold('--x').subscribe(() => {
        loggedOut = session.logout();
      });
      session.authorize(api).subscribe({
        error: (error: AuthRefreshError) => {
          reason = error.reason;
          storeAtFailure = store.get();
        },
      });
      run.flush();
      return { store };
    });
    await loggedOut;
    expect(reason).toBe('logged-out');
    expect(storeAtFailure).toBeNull();
    expect(store.get()).toBeNull();
  });

  it('drops the refresh result when the store was cleared directly while it ran', () => {
    scheduler.run((run) => {
      const { store, session, api } = setUp(run, '---(n|)');
      run.cold('--x').subscribe(() => store.clear());
      let reason: string | undefined;
      session.authorize(api).subscribe({ error: (error: AuthRefreshError) => (reason = error.reason) });
      run.flush();
      expect(reason).toBe('logged-out');
      expect(store.get()).toBeNull();
    });
  });

  it('refuses to refresh past maxRefreshes within the window', () => {
    scheduler.run((run) => {
      const { store, session, api, refreshes } = setUp(run, '-(n|)', { maxRefreshes: { count: 2, windowMs: 1_000 } });
      const reasons: string[] = [];
      for (let i = 0; i < 3; i++) {
        store.set({ accessToken: 'old', refreshToken: 'r0' });
        session.authorize(api).subscribe({
          next: () => reasons.push('ok'),
          error: (error: AuthRefreshError) => reasons.push(error.reason),
        });
        run.flush();
      }
      expect(reasons).toEqual(['ok', 'ok', 'storm']);
      expect(refreshes()).toBe(2);
    });
  });
});
