import { signInWithEmailAndPassword, signOut } from 'firebase/auth';
import { firstValueFrom, forkJoin, type Observable, of } from 'rxjs';
import { catchError, map } from 'rxjs/operators';
import { createHttpClient, type AuthEvent, type HttpClient } from '../../lib/index';
import { WebLocksRefreshLock } from '../../lib/tabs/index';
import { fromFirebaseAuth, type FromFirebaseAuthOptions } from '../../lib/firebase/index';
import { AuthEmulator } from './support/auth-emulator';
import { failureName } from './support/ending-of';
import { IdTokenApi } from './support/id-token-api';
import { signedInApp, type SignedInApp } from './support/signed-in-app';

type Outcome = { ok: true } | { ok: false; error: unknown };

// The real web SDK against the real Auth emulator, and an API that verifies ID tokens with
// firebase-admin. The emulator's token endpoint is counted at a proxy in front of it.
describe('fromFirebaseAuth against the Firebase Auth emulator', () => {
  let emulator: AuthEmulator;
  let api401: IdTokenApi;
  let api403: IdTokenApi;
  let signedIn: SignedInApp;
  let events: AuthEvent[];

  beforeAll(async () => {
    emulator = await AuthEmulator.start();
    process.env['FIREBASE_AUTH_EMULATOR_HOST'] = emulator.emulatorHost;
    [api401, api403] = [await IdTokenApi.start(401), await IdTokenApi.start(403)];
  }, 120_000);

  afterAll(async () => {
    await api401?.close();
    await api403?.close();
    await emulator?.close();
  });

  beforeEach(async () => {
    signedIn = await signedInApp(emulator);
    events = [];
    emulator.resetCounts();
    api401.resetCounts();
    api403.resetCounts();
  });

  afterEach(() => signedIn.close());

  function client(api: IdTokenApi, options: FromFirebaseAuthOptions = {}): HttpClient {
    const created = createHttpClient({ baseUrl: api.url, auth: fromFirebaseAuth(signedIn.auth, options) });
    created.authEvents$.subscribe((event) => events.push(event));
    return created;
  }

  const outcome = (request: Observable<unknown>): Observable<Outcome> =>
    request.pipe(
      map((): Outcome => ({ ok: true })),
      catchError((error: unknown) => of<Outcome>({ ok: false, error })),
    );

  const burst = (on: HttpClient, n: number): Promise<Outcome[]> =>
    firstValueFrom(forkJoin(Array.from({ length: n }, () => outcome(on.get('/me')))));

  const types = () => events.map((event) => event.type);
  const count = (type: AuthEvent['type']) => types().filter((seen) => seen === type).length;
  // The SDK's error code behind a request's AuthRefreshError.
  const sdkCode = (result: Outcome | undefined) =>
    (result as { error?: { cause?: { code?: unknown } } } | undefined)?.error?.cause?.code;
  const reasons = (outcomes: Outcome[]) => outcomes.map((result) => (result.ok ? 'ok' : failureName(result.error)));

  it('refreshes once for a burst of 20 requests after a cut-off: one getIdToken(true), one token-endpoint hit', async () => {
    const http = client(api401);
    await burst(http, 1);
    await api401.cutOff();
    api401.resetCounts();

    const results = await burst(http, 20);

    expect(reasons(results)).toEqual(Array(20).fill('ok'));
    expect(emulator.tokenHits).toBe(1);
    expect(count('refresh-start')).toBe(1);
    expect(count('refresh-success')).toBe(1);
    expect(api401.refusals).toBe(20);
    expect(api401.requests).toBe(40);
  });

  it('refreshes once per cut-off, three in a row', async () => {
    const http = client(api401);
    for (let round = 0; round < 3; round++) {
      await api401.cutOff();
      expect(reasons(await burst(http, 5))).toEqual(Array(5).fill('ok'));
    }
    expect(emulator.tokenHits).toBe(3);
    expect(count('refresh-start')).toBe(3);
  });

  it('ends the session once for a disabled user: one session-expired, every waiter rejected, signed out', async () => {
    const http = client(api401);
    await burst(http, 1);
    await api401.users.updateUser(signedIn.user.uid, { disabled: true });
    await api401.cutOff();
    api401.resetCounts();

    const results = await burst(http, 20);

    expect(reasons(results)).toEqual(Array(20).fill('rejected'));
    expect(sdkCode(results[0])).toBe('auth/user-disabled');
    expect(emulator.tokenHits).toBe(1);
    expect(types()).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
    expect(signedIn.auth.currentUser).toBeNull();
    expect(await firstValueFrom(of(http.auth!.store.get()))).toBeNull();
  });

  // Google's servers answer USER_NOT_FOUND (the SDK: user-token-expired); the emulator INVALID_REFRESH_TOKEN.
  it('ends the session once for a deleted user, and signs the SDK out, which keeps such a user itself', async () => {
    const http = client(api401);
    await burst(http, 1);
    await api401.users.deleteUser(signedIn.user.uid);
    await api401.cutOff();

    const results = await burst(http, 10);

    expect(reasons(results)).toEqual(Array(10).fill('rejected'));
    expect(sdkCode(results[0])).toBe('auth/invalid-refresh-token');
    expect(emulator.tokenHits).toBe(1);
    expect(types()).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
    expect(signedIn.auth.currentUser).toBeNull();
  });

  it('ends the session once when the user signs out while the refresh runs: every waiter rejected', async () => {
    const http = client(api401);
    await burst(http, 1);
    await api401.cutOff();
    const held = emulator.holdNextTokenRequest();

    const results = burst(http, 10);
    await held.arrived;
    await signOut(signedIn.auth);
    held.release();

    expect(reasons(await results)).toEqual(Array(10).fill('rejected'));
    expect(emulator.tokenHits).toBe(1);
    expect(types()).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
  });

  it('reports a Firebase sign-out between requests as one logout; the next request goes signed out', async () => {
    const http = client(api401);
    await burst(http, 1);

    await signOut(signedIn.auth);
    const after = await burst(http, 1);

    expect(types()).toEqual(['logout']);
    expect(reasons(after)).toEqual(['http 401']);
    expect(emulator.tokenHits).toBe(0);
  });

  it('uses a refresh the SDK made elsewhere at once: no request goes out with the old token', async () => {
    const http = client(api401);
    await burst(http, 1);
    await api401.cutOff();
    api401.resetCounts();

    await signedIn.user.getIdToken(true);
    const results = await burst(http, 20);

    expect(reasons(results)).toEqual(Array(20).fill('ok'));
    expect(api401.refusals).toBe(0);
    expect(api401.requests).toBe(20);
    expect(emulator.tokenHits).toBe(1);
    expect(count('refresh-start')).toBe(0);
  });

  it('keeps the session after a refresh the network broke: waiters failed, no session end, the next burst refreshes', async () => {
    // Without the back-off after a failed refresh (on by default, spec/auth/auth-session.marbles.spec.ts),
    // so that the next burst refreshes at once.
    const http = client(api401, { refreshBackoff: false });
    await burst(http, 1);
    await api401.cutOff();
    const held = emulator.holdNextTokenRequest();

    // The first request's 401 starts the refresh; nine more arrive while it runs, and wait for it.
    const first = burst(http, 1);
    await held.arrived;
    const waiting = burst(http, 9);
    held.drop();
    const failed = [...(await first), ...(await waiting)];
    const again = await burst(http, 10);

    expect(reasons(failed)).toEqual(Array(10).fill('failed'));
    expect(sdkCode(failed[0])).toBe('auth/network-request-failed');
    expect(reasons(again)).toEqual(Array(10).fill('ok'));
    expect(types()).toEqual(['refresh-start', 'refresh-failure', 'refresh-start', 'refresh-success']);
    expect(emulator.tokenHits).toBe(2);
    expect(signedIn.auth.currentUser).not.toBeNull();
  });

  it('ends the session of another app sharing its WebLocksRefreshLock, once for each of its clients', async () => {
    const other = await signedInApp(emulator, signedIn);
    try {
      const lock = `firebase-node-${process.pid}-${Date.now()}`;
      const http = client(api401, { lock: new WebLocksRefreshLock(lock) });
      // Two clients of the other app, given the same options: one forget() serves both.
      const shared = fromFirebaseAuth(other.auth, { lock: new WebLocksRefreshLock(lock) });
      const otherEvents: string[] = [];
      const otherClients = [1, 2].map(() => createHttpClient({ baseUrl: api401.url, auth: shared }));
      for (const each of otherClients) each.authEvents$.subscribe((event) => otherEvents.push(event.type));
      const heard = new Promise<void>((resolve) =>
        otherClients[1]!.authEvents$.subscribe((event) => event.type === 'session-expired' && resolve()),
      );
      await burst(http, 1);
      await api401.users.updateUser(signedIn.user.uid, { disabled: true });
      await api401.cutOff();

      expect(reasons(await burst(http, 5))).toEqual(Array(5).fill('rejected'));
      await heard;

      expect(types()).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
      expect(otherEvents).toEqual(['session-expired', 'session-expired']);
      expect(await shared.store!.get()).toBeNull();
      expect(emulator.tokenHits).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('refreshes on 403 for an API that answers it, given refreshOn: [401, 403]', async () => {
    const http = client(api403, { refreshOn: [401, 403] });
    await burst(http, 1);
    await api403.cutOff();
    api403.resetCounts();

    const results = await burst(http, 20);

    expect(reasons(results)).toEqual(Array(20).fill('ok'));
    expect(emulator.tokenHits).toBe(1);
    expect(api403.refusals).toBe(20);
  });

  it('leaves a 403 alone without refreshOn: the API’s answer reaches the caller, no refresh', async () => {
    const http = client(api403);
    await burst(http, 1);
    await api403.cutOff();

    const results = await burst(http, 3);

    expect(reasons(results)).toEqual(Array(3).fill('http 403'));
    expect(emulator.tokenHits).toBe(0);
    expect(count('refresh-start')).toBe(0);
  });

  it('signs out of Firebase on logout(), with one logout event', async () => {
    const http = client(api401);
    await burst(http, 1);

    await http.auth!.logout();

    expect(signedIn.auth.currentUser).toBeNull();
    expect(types()).toEqual(['logout']);
  });

  it('sends the new user’s token after a sign-in that follows a sign-out', async () => {
    const http = client(api401);
    await signOut(signedIn.auth);
    await signInWithEmailAndPassword(signedIn.auth, signedIn.email, 'a-password');

    const results = await burst(http, 3);

    expect(reasons(results)).toEqual(Array(3).fill('ok'));
    expect(api401.refusals).toBe(0);
  });
});
