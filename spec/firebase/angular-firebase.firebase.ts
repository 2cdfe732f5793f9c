// First: Angular's npm packages are partially compiled, and the JIT compiler must be there when they load.
import '@angular/compiler';
import { HttpClient, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import type { EnvironmentInjector } from '@angular/core';
import { firstValueFrom, forkJoin } from 'rxjs';
import type { AuthEvent } from '../../lib/index';
import { AUTH_EVENTS, AUTH_SESSION, authRefreshInterceptor, provideAuthRefresh } from '../../lib/angular/index';
import { fromFirebaseAuth } from '../../lib/firebase/index';
import { angularInjector } from '../angular/angular-injector';
import { AuthEmulator } from './support/auth-emulator';
import { endingOf } from './support/ending-of';
import { IdTokenApi } from './support/id-token-api';
import { signedInApp, type SignedInApp } from './support/signed-in-app';

// The same Firebase session under Angular's own HttpClient (zoneless, in Node), set up as the docs
// say: provideAuthRefresh(() => fromFirebaseAuth(...)) next to the functional interceptor.
describe('fromFirebaseAuth under the Angular adapter', () => {
  let emulator: AuthEmulator;
  let api: IdTokenApi;
  let signedIn: SignedInApp;
  let injector: EnvironmentInjector;
  let events: AuthEvent[];

  beforeAll(async () => {
    emulator = await AuthEmulator.start();
    process.env['FIREBASE_AUTH_EMULATOR_HOST'] = emulator.emulatorHost;
    api = await IdTokenApi.start(403);
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await emulator?.close();
  });

  beforeEach(async () => {
    signedIn = await signedInApp(emulator);
    injector = angularInjector([
      provideHttpClient(withFetch(), withInterceptors([authRefreshInterceptor])),
      provideAuthRefresh(() => fromFirebaseAuth(signedIn.auth, { refreshOn: [401, 403], allowedOrigins: [api.url] })),
    ]);
    events = [];
    injector.get(AUTH_EVENTS).subscribe((event) => events.push(event));
    emulator.resetCounts();
    api.resetCounts();
  });

  afterEach(async () => {
    injector.destroy();
    await signedIn.close();
  });

  const burst = (n: number) =>
    firstValueFrom(forkJoin(Array.from({ length: n }, () => endingOf(injector.get(HttpClient).get(`${api.url}/me`)))));
  const types = () => events.map((event) => event.type);

  it('refreshes once for 20 requests refused with 403 after a cut-off', async () => {
    expect(await burst(1)).toEqual(['ok']);
    await api.cutOff();
    api.resetCounts();

    expect(await burst(20)).toEqual(Array(20).fill('ok'));
    expect(emulator.tokenHits).toBe(1);
    expect(api.refusals).toBe(20);
    expect(types()).toEqual(['refresh-start', 'refresh-success']);
  });

  it('ends the session once for a disabled user: every request rejected, one session-expired', async () => {
    await burst(1);
    await api.users.updateUser(signedIn.user.uid, { disabled: true });
    await api.cutOff();

    expect(await burst(20)).toEqual(Array(20).fill('rejected'));
    expect(emulator.tokenHits).toBe(1);
    expect(types()).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
    expect(signedIn.auth.currentUser).toBeNull();
  });

  it('signs out of Firebase on AUTH_SESSION.logout(), with one logout event; later requests go without a token', async () => {
    await burst(1);
    await injector.get(AUTH_SESSION).logout();

    expect(signedIn.auth.currentUser).toBeNull();
    expect(types()).toEqual(['logout']);
    expect(await burst(1)).toEqual(['http 403']);
    expect(emulator.tokenHits).toBe(0);
  });
});
