import {
  firstValueFrom,
  forkJoin,
  lastValueFrom,
  NEVER,
  Observable,
  of,
  VirtualTimeScheduler,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { toArray } from 'rxjs/operators';
import {
  AuthRefreshError,
  createHttpClient,
  MemoryTokenStore,
  oauth2Refresh,
  RefreshLockError,
  type AuthEvent,
  type AuthTokens,
  type HttpClient,
  type TokenStore,
} from '../../lib';
import { WebLocksRefreshLock } from '../../lib/tabs';
import { startTestAuthServer, type TestAuthServer, type EchoedRequest } from '../../lib/testing/index';

// Node has no `navigator.locks`: these specs run the lock's in-tab fallback, its bounds and its
// session messages (Node's own BroadcastChannel). The cross-tab behaviour runs in Chromium
// (spec/browser/tabs.browser.ts).
let lockNames = 0;
const freshName = () => `spec-lock-${process.pid}-${++lockNames}`;

/** Settles when `observable` does, with what it emitted or the error it failed with. */
function outcomeOf<T>(observable: Observable<T>): Promise<{ values: T[] } | { error: unknown }> {
  return lastValueFrom(observable.pipe(toArray())).then(
    (values) => ({ values }),
    (error: unknown) => ({ error }),
  );
}

/** A work Observable that records when it is subscribed and completes when told. */
function controlledWork(value: string): { work: Observable<string>; started: () => boolean; finish: () => void } {
  let started = false;
  let finish: () => void = () => undefined;
  const work = new Observable<string>((subscriber) => {
    started = true;
    finish = () => {
      subscriber.next(value);
      subscriber.complete();
    };
  });
  return { work, started: () => started, finish: () => finish() };
}

/** Resolves once every Promise callback queued so far has run (the lock hands over through them). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('WebLocksRefreshLock without navigator.locks (Node, an insecure page, an old browser)', () => {
  it('says it does not coordinate tabs, and is created without touching any browser API', () => {
    expect((globalThis as { navigator?: { locks?: unknown } }).navigator?.locks).toBeUndefined();
    const lock = new WebLocksRefreshLock();
    expect(lock.crossTab).toBeFalse();
    expect(lock.name).toBe('rxjs-auth-http.refresh');
  });

  it('rejects a name Web Locks would refuse, and a wait that is not a positive number, with a TypeError', () => {
    expect(() => new WebLocksRefreshLock('')).toThrowError(TypeError, /name/);
    expect(() => new WebLocksRefreshLock('-reserved')).toThrowError(TypeError, /name/);
    expect(() => new WebLocksRefreshLock('x', { waitMs: 0 })).toThrowError(TypeError, /waitMs/);
    expect(() => new WebLocksRefreshLock('x', { waitMs: Number.NaN })).toThrowError(TypeError, /waitMs/);
  });

  it('runs one holder at a time, in order, and subscribes to the work only once the lock is held', async () => {
    const name = freshName();
    const first = controlledWork('first');
    const second = controlledWork('second');
    const firstDone = outcomeOf(new WebLocksRefreshLock(name).withLock(first.work, { refreshTimeout: 1_000 }));
    const secondDone = outcomeOf(new WebLocksRefreshLock(name).withLock(second.work, { refreshTimeout: 1_000 }));
    await settle();

    expect(first.started()).toBeTrue();
    expect(second.started()).withContext('the second holder waits for the first').toBeFalse();
    first.finish();
    expect(await firstDone).toEqual({ values: ['first'] });
    await settle();
    expect(second.started()).toBeTrue();
    second.finish();
    expect(await secondDone).toEqual({ values: ['second'] });
  });

  it('lets a waiter that unsubscribes leave the queue: its work never runs and the next one gets the lock', async () => {
    const name = freshName();
    const first = controlledWork('first');
    const leaving = controlledWork('leaving');
    const third = controlledWork('third');
    const firstDone = outcomeOf(new WebLocksRefreshLock(name).withLock(first.work, { refreshTimeout: 1_000 }));
    const leaver: Subscription = new WebLocksRefreshLock(name)
      .withLock(leaving.work, { refreshTimeout: 1_000 })
      .subscribe();
    const thirdDone = outcomeOf(new WebLocksRefreshLock(name).withLock(third.work, { refreshTimeout: 1_000 }));
    await settle();

    leaver.unsubscribe();
    first.finish();
    await firstDone;
    await settle();
    expect(leaving.started()).toBeFalse();
    expect(third.started()).toBeTrue();
    third.finish();
    expect(await thirdDone).toEqual({ values: ['third'] });
  });

  it('fails a waiter with RefreshLockError timeout after waitMs, and never runs its work', async () => {
    const name = freshName();
    const holder = new WebLocksRefreshLock(name).withLock(NEVER, { refreshTimeout: 1_000 }).subscribe();
    const waiting = controlledWork('never');

    const outcome = await outcomeOf(
      new WebLocksRefreshLock(name, { waitMs: 50 }).withLock(waiting.work, { refreshTimeout: 1_000 }),
    );
    holder.unsubscribe();

    expect('error' in outcome && outcome.error instanceof RefreshLockError && outcome.error.reason).toBe('timeout');
    expect(waiting.started()).toBeFalse();
  });

  describe('on a clock the spec moves (a VirtualTimeScheduler: the global timers stay real)', () => {
    it('abandons a hold that outlives refreshTimeout plus its margin (lost), and hands the lock on', async () => {
      const name = freshName();
      const clock = new VirtualTimeScheduler();
      const advanceTo = (ms: number) => {
        clock.maxFrames = ms;
        clock.flush();
      };
      let unsubscribedFromWork = false;
      const stuck = new Observable<string>(() => () => (unsubscribedFromWork = true));
      const held = outcomeOf(
        new WebLocksRefreshLock(name, { scheduler: clock }).withLock(stuck, { refreshTimeout: 1_000 }),
      );
      const next = controlledWork('next');
      const nextDone = outcomeOf(
        new WebLocksRefreshLock(name, { scheduler: clock }).withLock(next.work, { refreshTimeout: 1_000 }),
      );
      await settle();

      advanceTo(5_999);
      await settle();
      expect(next.started()).withContext('still within the bound').toBeFalse();
      advanceTo(6_000);
      const outcome = await held;
      await settle();

      expect('error' in outcome && outcome.error instanceof RefreshLockError && outcome.error.reason).toBe('lost');
      expect(unsubscribedFromWork).toBeTrue();
      expect(next.started()).toBeTrue();
      next.finish();
      expect(await nextDone).toEqual({ values: ['next'] });
    });

    it('fails a waiter with timeout when the clock passes waitMs, and the holder keeps the lock', async () => {
      const name = freshName();
      const clock = new VirtualTimeScheduler();
      const holder = new WebLocksRefreshLock(name, { scheduler: clock })
        .withLock(NEVER, { refreshTimeout: 0 })
        .subscribe();
      const waiting = controlledWork('never');
      const waited = outcomeOf(
        new WebLocksRefreshLock(name, { waitMs: 10_000, scheduler: clock }).withLock(waiting.work, {
          refreshTimeout: 0,
        }),
      );
      await settle();

      clock.maxFrames = 10_000;
      clock.flush();
      const outcome = await waited;
      holder.unsubscribe();

      expect('error' in outcome && outcome.error instanceof RefreshLockError && outcome.error.reason).toBe('timeout');
      expect(waiting.started()).toBeFalse();
    });
  });

  it('rejects a scheduler that is not an rxjs SchedulerLike with a TypeError', () => {
    const notAScheduler = { now: () => 0 } as unknown as SchedulerLike;
    expect(() => new WebLocksRefreshLock('x', { scheduler: notAScheduler })).toThrowError(TypeError, /scheduler/);
  });
});

describe('sessions sharing a store and a WebLocksRefreshLock (the fallback lock, a real token server)', () => {
  let server: TestAuthServer;
  let shared: MemoryTokenStore;
  // A store that answers a turn of the event loop later, as IndexedDB does.
  let store: TokenStore;
  const later = <T>(answer: () => T) => new Promise<T>((resolve) => setImmediate(() => resolve(answer())));

  beforeEach(async () => {
    server = await startTestAuthServer();
    shared = new MemoryTokenStore(server.issueTokens());
    store = {
      get: () => later(() => shared.get()),
      set: (tokens: AuthTokens) => later(() => shared.set(tokens)),
      clear: () => later(() => shared.clear()),
    };
    server.expireAccessTokens();
  });
  afterEach(() => server.close());

  /**
   * One "tab": its own session (client) and its own lock object, on the lock name all tabs share.
   * `askedForLock` resolves when its refresh asks for the lock.
   */
  function tab(name: string): { client: HttpClient; events: AuthEvent['type'][]; askedForLock: Promise<void> } {
    const lock = new WebLocksRefreshLock(name);
    let asked: () => void = () => undefined;
    const askedForLock = new Promise<void>((resolve) => (asked = resolve));
    const client = createHttpClient({
      baseUrl: server.url,
      retry: false,
      auth: {
        store,
        lock: {
          withLock: (work, limits) => {
            asked();
            return lock.withLock(work, limits);
          },
          announceSessionEnd: (end) => lock.announceSessionEnd(end),
          sessionEnds$: lock.sessionEnds$,
        },
        refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }),
      },
    });
    const events: AuthEvent['type'][] = [];
    client.authEvents$.subscribe((event) => events.push(event.type));
    return { client, events, askedForLock };
  }

  const burst = (client: HttpClient, n: number) =>
    lastValueFrom(forkJoin(Array.from({ length: n }, () => client.get<EchoedRequest>('/api/echo'))));

  it('refreshes once for two sessions whose tokens expire together: the second reads the store inside the lock', async () => {
    const name = freshName();
    const [a, b] = [tab(name), tab(name)];

    const [fromA, fromB] = await Promise.all([burst(a.client, 10), burst(b.client, 10)]);

    expect(fromA.length + fromB.length).toBe(20);
    expect(server.stats.tokenRequests).toBe(1);
    expect(server.stats.refreshTokenReuse).toBe(0);
    expect(
      a.events.filter((type) => type === 'refresh-start').length +
        b.events.filter((type) => type === 'refresh-start').length,
    ).toBe(1);
  });

  it('settles a rejected refresh token inside the lock: one token call, every session expired once, the store cleared', async () => {
    const name = freshName();
    const [a, b] = [tab(name), tab(name)];
    server.failTokenRequests('invalid_grant');

    const outcomes = await Promise.all([outcomeOf(a.client.get('/api/echo')), outcomeOf(b.client.get('/api/echo'))]);
    const expired = (events: AuthEvent['type'][]) => events.filter((type) => type === 'session-expired').length;
    await until(() => expired(a.events) > 0 && expired(b.events) > 0); // the BroadcastChannel message to the other session
    await settle();

    expect(server.stats.tokenRequests).toBe(1);
    expect(outcomes.every((outcome) => 'error' in outcome && outcome.error instanceof AuthRefreshError)).toBeTrue();
    expect(shared.get()).toBeNull();
    expect(expired(a.events)).toBe(1);
    expect(expired(b.events)).toBe(1);
  });

  // docs/session-expiry.md, "Other tabs and processes": what a session that did not call the token endpoint reports.
  it('reports a refresh another session made as refresh-success alone, with no refresh-start', async () => {
    const name = freshName();
    const [a, b] = [tab(name), tab(name)];
    const release = server.holdTokenRequests();
    const fromA = burst(a.client, 3);
    await server.untilTokenRequests(1); // A holds the lock and is at the token endpoint
    const fromB = burst(b.client, 3);
    await b.askedForLock; // B's refresh waits for the lock, and will find A's tokens inside it
    release();
    await Promise.all([fromA, fromB]);

    expect(server.stats.tokenRequests).toBe(1);
    expect(a.events).toEqual(['refresh-start', 'refresh-success']);
    expect(b.events).toEqual(['refresh-success']);
  });

  it("ends the session in every session with reason rejected; only the holder's error has the endpoint's answer", async () => {
    const name = freshName();
    const [a, b] = [tab(name), tab(name)];
    server.failTokenRequests('invalid_grant');
    const release = server.holdTokenRequests();
    const fromA = outcomeOf(a.client.get('/api/echo'));
    await server.untilTokenRequests(1);
    const fromB = outcomeOf(b.client.get('/api/echo'));
    await b.askedForLock; // B's request was refused too, and its refresh waits for the lock
    release();
    const [holder, other] = (await Promise.all([fromA, fromB])).map((outcome) =>
      'error' in outcome ? outcome.error : outcome,
    );
    await until(() => a.events.includes('session-expired') && b.events.includes('session-expired'));

    expect(holder).toEqual(jasmine.any(AuthRefreshError));
    expect(other).toEqual(jasmine.any(AuthRefreshError));
    expect([(holder as AuthRefreshError).reason, (other as AuthRefreshError).reason]).toEqual(['rejected', 'rejected']);
    expect((holder as AuthRefreshError).oauthError).toBe('invalid_grant');
    expect((other as AuthRefreshError).oauthError).toBeUndefined();
    expect(((other as AuthRefreshError).cause as Error).message).toBe(
      'the refresh token was rejected in another tab or process',
    );
    expect(a.events).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
    expect(b.events).toEqual(['refresh-failure', 'session-expired']);
    expect(server.stats.tokenRequests).toBe(1);
  });

  it('hears an end from another session in the same order: its copy forgotten, refresh-failure, the waiters, session-expired', async () => {
    const name = freshName();
    const copy = new MemoryTokenStore({ ...shared.get()!, expiresAt: Date.now() - 1000 });
    const cached: TokenStore = {
      get: () => copy.get(),
      set: (t) => copy.set(t),
      clear: () => copy.clear(),
      getLatest: () => shared.get(),
    };
    let refreshing: () => void = () => undefined;
    const refreshStarted = new Promise<void>((resolve) => (refreshing = resolve));
    const session = createHttpClient({
      baseUrl: server.url,
      retry: false,
      auth: { store: cached, lock: new WebLocksRefreshLock(name), refresh: () => (refreshing(), NEVER) },
    });
    const log: string[] = [];
    const stored = () => (copy.get() === null ? 'copy empty' : 'copy holds the tokens');
    session.authEvents$.subscribe((event) => log.push(`${event.type}, ${stored()}`));
    for (let i = 0; i < 2; i++) {
      session.get('/api/echo').subscribe({
        error: (error: unknown) => log.push(`waiter ${i}: ${(error as AuthRefreshError).reason}, ${stored()}`),
      });
    }
    await refreshStarted;

    shared.clear(); // what the other session did, before it announced the end
    new WebLocksRefreshLock(name).announceSessionEnd('session-expired');
    await until(() => log.some((line) => line.startsWith('session-expired')));

    expect(log).toEqual([
      'refresh-start, copy holds the tokens',
      'refresh-failure, copy empty',
      'waiter 0: rejected, copy empty',
      'waiter 1: rejected, copy empty',
      'session-expired, copy empty',
    ]);
  });

  it('tells the other sessions of a logout, once each, in a message without tokens', async () => {
    const name = freshName();
    const [a, b, c] = [tab(name), tab(name), tab(name)];
    const heard: unknown[] = [];
    const listener = new BroadcastChannel(`${name}:session`);
    listener.onmessage = (message: MessageEvent<unknown>) => heard.push(message.data);
    const tokens = shared.get()!;

    await a.client.auth!.logout();
    await until(() => b.events.includes('logout') && c.events.includes('logout') && heard.length === 1);
    listener.close();

    expect([a.events, b.events, c.events]).toEqual([['logout'], ['logout'], ['logout']]);
    expect(JSON.stringify(heard)).not.toContain(tokens.accessToken);
    expect(JSON.stringify(heard)).not.toContain(tokens.refreshToken!);
    expect(heard).toEqual([{ sessionEnd: 'logout' }]);
  });

  it('stops a session from sending tokens once another one announced the end, even if its store kept a copy', async () => {
    const name = freshName();
    const copy = new MemoryTokenStore(shared.get());
    // A store with a copy in memory that nothing refreshes, and the shared record behind it.
    const cached: TokenStore = {
      get: () => copy.get(),
      set: (t) => copy.set(t),
      clear: () => copy.clear(),
      getLatest: () => shared.get(),
    };
    const lock = new WebLocksRefreshLock(name);
    const stale = createHttpClient({
      baseUrl: server.url,
      retry: false,
      auth: { store: cached, lock, refresh: () => of({ accessToken: 'unused' }) },
    });
    const events: AuthEvent['type'][] = [];
    stale.authEvents$.subscribe((event) => events.push(event.type));

    shared.clear();
    new WebLocksRefreshLock(name).announceSessionEnd('session-expired');
    await until(() => events.includes('session-expired'));

    expect(copy.get()).toBeNull();
    const echo = await firstValueFrom(stale.get<EchoedRequest>('/public/echo'));
    expect(echo.headers['authorization']).toBeUndefined();
    expect(events).toEqual(['session-expired']);
  });
});

/** Resolves when `condition` holds, checked after each turn of the event loop (bounded by the spec's timeout). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise<void>((resolve) => setImmediate(resolve));
}
