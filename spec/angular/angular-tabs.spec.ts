// First: Angular's npm packages are partially compiled, and the JIT compiler must be there when they load.
import '@angular/compiler';
import { HttpClient, provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import type { EnvironmentInjector } from '@angular/core';
import { firstValueFrom, forkJoin } from 'rxjs';
import { MemoryTokenStore, oauth2Refresh, type AuthEvent, type AuthOptions } from '../../lib/index';
import { WebLocksRefreshLock } from '../../lib/tabs/index';
import {
  AUTH_EVENTS,
  AUTH_SESSION,
  authRefreshInterceptor,
  createAuthRefreshInterceptor,
  provideAuthRefresh,
} from '../../lib/angular/index';
import { startTestAuthServer, type TestAuthServer } from '../../lib/testing/index';
import { angularInjector } from './angular-injector';

// Two zoneless Angular apps in one Node process stand in for two tabs: `auth.lock` reaches the
// session through both Angular set-ups (provideAuthRefresh, and the configured interceptor), and
// the lock's fallback and session messages work there. Real Chromium tabs: spec/browser/tabs.browser.ts.
describe('Angular apps sharing a store and a WebLocksRefreshLock (zoneless, the in-tab fallback)', () => {
  let server: TestAuthServer;
  let store: MemoryTokenStore;
  const injectors: EnvironmentInjector[] = [];

  beforeEach(async () => {
    server = await startTestAuthServer();
    store = new MemoryTokenStore(server.issueTokens());
    server.expireAccessTokens();
  });

  afterEach(async () => {
    for (const injector of injectors.splice(0)) injector.destroy();
    await server.close();
  });

  function options(lockName: string): AuthOptions {
    return {
      store,
      lock: new WebLocksRefreshLock(lockName),
      refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }),
      allowedOrigins: [server.url],
    };
  }

  function provided(lockName: string): EnvironmentInjector {
    const injector = angularInjector([
      provideHttpClient(withFetch(), withInterceptors([authRefreshInterceptor])),
      provideAuthRefresh(options(lockName)),
    ]);
    injectors.push(injector);
    return injector;
  }

  function configured(lockName: string): EnvironmentInjector {
    const injector = angularInjector([
      provideHttpClient(withFetch(), withInterceptors([createAuthRefreshInterceptor(options(lockName))])),
    ]);
    injectors.push(injector);
    return injector;
  }

  const burst = (injector: EnvironmentInjector, n: number) =>
    firstValueFrom(forkJoin(Array.from({ length: n }, () => injector.get(HttpClient).get(`${server.url}/api/echo`))));

  it('refreshes once when both apps’ requests fail together, one app set up with provideAuthRefresh and one with the configured interceptor', async () => {
    const name = `angular-tabs-${process.pid}-once`;
    const [a, b] = [provided(name), configured(name)];

    const [fromA, fromB] = await Promise.all([burst(a, 10), burst(b, 10)]);

    expect(fromA.length + fromB.length).toBe(20);
    expect(server.stats.tokenRequests).toBe(1);
    expect(server.stats.refreshTokenReuse).toBe(0);
  });

  it('reports a logout in one app on the other app’s AUTH_EVENTS', async () => {
    const name = `angular-tabs-${process.pid}-logout`;
    const [a, b] = [provided(name), provided(name)];
    const seen: AuthEvent['type'][] = [];
    b.get(AUTH_EVENTS).subscribe((event) => seen.push(event.type));
    const heard = firstValueFrom(b.get(AUTH_EVENTS));

    await a.get(AUTH_SESSION).logout();

    expect((await heard).type).toBe('logout');
    expect(seen).toEqual(['logout']);
    expect(store.get()).toBeNull();
  });
});
