import { defer, type Observable, of, throwError, timer } from 'rxjs';
import { concatMap, map, switchMap, take, toArray } from 'rxjs/operators';
import { TestScheduler } from 'rxjs/testing';
import { createAuthSession, MemoryTokenStore } from '../../lib';

// Proactive refresh in virtual time. The "server" issues tokens that live `lifetime` frames and
// checks them when a request arrives, `latency` frames after it was sent: a token that expires
// while a request is on its way costs a 401 and a retry.
describe('AuthSession proactive refresh (marbles)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  function run(settings: { lifetime: number; skew: number; latency: number; every: number; requests: number }) {
    const { lifetime, skew, latency, every, requests } = settings;
    const expiries = new Map<string, number>([['login', lifetime]]);
    let issued = 0;
    let unauthorized = 0;
    const store = new MemoryTokenStore({ accessToken: 'login', refreshToken: 'r', expiresAt: lifetime });
    const session = createAuthSession({
      store,
      expirySkew: skew,
      maxRefreshes: false,
      refresh: () =>
        timer(1).pipe(
          map(() => {
            const accessToken = `t${++issued}`;
            expiries.set(accessToken, scheduler.now() + lifetime);
            return { accessToken, refreshToken: 'r', expiresAt: scheduler.now() + lifetime };
          }),
        ),
    });
    const api = (token: string | null): Observable<string> =>
      timer(latency).pipe(
        switchMap(() => {
          if (token !== null && scheduler.now() < (expiries.get(token) ?? 0)) return of('ok');
          unauthorized++;
          return throwError(() => ({ status: 401 }));
        }),
      );
    let results: string[] = [];
    scheduler.run(() => {
      timer(0, every)
        .pipe(
          take(requests),
          concatMap(() => defer(() => session.authorize(api))),
          toArray(),
        )
        .subscribe((all) => (results = all));
    });
    return { results, unauthorized, refreshes: issued };
  }

  it('refreshes a token that came from its own refresh ahead of expiry too: no 401 across many expiries', () => {
    // 30 requests, one every 125 frames, over 3.75 lifetimes of 1000 frames.
    const { results, unauthorized, refreshes } = run({
      lifetime: 1000,
      skew: 200,
      latency: 100,
      every: 125,
      requests: 30,
    });
    expect(results.length).toBe(30);
    expect(unauthorized).toBe(0);
    expect(refreshes).toBe(4); // the login token and 3 refreshed ones reach their expiry: one refresh each
  });

  it('refreshes a token that lives shorter than the skew halfway through its life: no loop, no 401', () => {
    // Tokens live 300 frames, the skew is 1000: refreshing "within the skew" would mean every request.
    const { results, unauthorized, refreshes } = run({
      lifetime: 300,
      skew: 1000,
      latency: 20,
      every: 50,
      requests: 60,
    });
    expect(results.length).toBe(60);
    expect(unauthorized).toBe(0);
    expect(refreshes).toBeGreaterThanOrEqual(15); // 3000 frames at one refresh per 150-200 frames
    expect(refreshes).toBeLessThanOrEqual(21);
  });
});
