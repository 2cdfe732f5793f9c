// First: Angular's npm packages are partially compiled, and the JIT compiler must be there when they load.
import '@angular/compiler';
import {
  HttpClient,
  HttpParams,
  provideHttpClient,
  withFetch,
  withInterceptors,
  type HttpInterceptorFn,
} from '@angular/common/http';
import { inject, PLATFORM_ID, type EnvironmentInjector, type EnvironmentProviders, type Provider } from '@angular/core';
import { firstValueFrom, map, type Observable } from 'rxjs';
import { createAuthSession, MemoryTokenStore, type AuthOptions, type AuthTokens } from '../../lib/index';
import {
  AUTH_SESSION,
  authRefreshInterceptor,
  createAuthRefreshInterceptor,
  provideAuthRefresh,
  SharedAcrossAppsError,
  skipAuth,
} from '../../lib/angular/index';
import { startTestAuthServer, type TestAuthServer, type EchoedRequest } from '../../lib/testing/index';
import { angularInjector } from './angular-injector';

// Angular SSR renders every request in its own app instance, in one Node process. These "apps" are
// real root injectors with the real HttpClient (fetch backend, as on the server) and the platform
// id Angular's server platform sets.
describe('Angular on the server: a store or session used by two app instances', () => {
  let server: TestAuthServer;
  const apps: EnvironmentInjector[] = [];

  beforeEach(async () => {
    server = await startTestAuthServer();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) app.destroy();
    await server.close();
  });

  function app(platform: 'server' | 'browser', providers: Array<Provider | EnvironmentProviders>): HttpClient {
    const injector = angularInjector([{ provide: PLATFORM_ID, useValue: platform }, ...providers]);
    apps.push(injector);
    return injector.get(HttpClient);
  }

  function withInterceptor(interceptor: HttpInterceptorFn = authRefreshInterceptor): EnvironmentProviders {
    return provideHttpClient(withFetch(), withInterceptors([interceptor]));
  }

  function refreshThroughHttpClient(tokens: AuthTokens): Observable<AuthTokens> {
    const body = new HttpParams({
      fromObject: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '' },
    });
    return inject(HttpClient)
      .post<{ access_token: string; refresh_token: string }>(`${server.url}/oauth/token`, body, { context: skipAuth() })
      .pipe(map((answer) => ({ accessToken: answer.access_token, refreshToken: answer.refresh_token })));
  }

  function options(store: MemoryTokenStore): AuthOptions {
    return { store, refresh: refreshThroughHttpClient, allowedOrigins: [server.url] };
  }

  function storeOfNewUser(): MemoryTokenStore {
    const issued = server.issueTokens();
    return new MemoryTokenStore({ accessToken: issued.accessToken, refreshToken: issued.refreshToken });
  }

  async function failure(request: Observable<unknown>): Promise<unknown> {
    return firstValueFrom(request).then(
      () => 'no error',
      (error: unknown) => error,
    );
  }

  it('refuses a module-scope store in provideAuthRefresh to both apps as soon as the second one starts', async () => {
    const moduleScopeStore = storeOfNewUser();
    const first = app('server', [withInterceptor(), provideAuthRefresh(options(moduleScopeStore))]);
    const before = await firstValueFrom(first.get<EchoedRequest>(`${server.url}/api/echo`));
    const second = app('server', [withInterceptor(), provideAuthRefresh(options(moduleScopeStore))]);
    const errors = await Promise.all([first, second].map((client) => failure(client.get(`${server.url}/api/echo`))));

    expect(before.headers['authorization']).toBe(`Bearer ${moduleScopeStore.get()?.accessToken}`);
    for (const error of errors) {
      expect(error).toBeInstanceOf(SharedAcrossAppsError);
      expect((error as SharedAcrossAppsError).shared).toBe('store');
      expect((error as Error).message).toContain('create the store per app instance');
      expect(JSON.stringify(error)).not.toContain(moduleScopeStore.get()?.accessToken ?? 'no token');
    }
    expect(server.stats.apiRequests).toBe(1);
  });

  it("does not retry the first user's 401 with the token the second app wrote into the shared store", async () => {
    const moduleScopeStore = storeOfNewUser();
    server.expireAccessTokens(); // the first user's token is stale...
    const first = app('server', [withInterceptor(), provideAuthRefresh(options(moduleScopeStore))]);
    const firstUsersPage = failure(first.get<EchoedRequest>(`${server.url}/api/echo`));
    app('server', [withInterceptor(), provideAuthRefresh(options(moduleScopeStore))]);
    const secondUser = server.issueTokens(); // ...the second user's is valid, and its render sets it
    moduleScopeStore.set({ accessToken: secondUser.accessToken, refreshToken: secondUser.refreshToken });
    const outcome = await firstUsersPage;

    expect(outcome).toBeInstanceOf(SharedAcrossAppsError);
    expect(server.stats.tokensSeen).not.toContain(`Bearer ${secondUser.accessToken}`);
    expect(server.stats.tokenRequests).toBe(0);
  });

  it('refuses it to a third app after the first two are gone', async () => {
    const moduleScopeStore = storeOfNewUser();
    app('server', [withInterceptor(), provideAuthRefresh(options(moduleScopeStore))]);
    for (const finished of apps.splice(0)) finished.destroy();
    const third = app('server', [withInterceptor(), provideAuthRefresh(options(moduleScopeStore))]);
    const error = await failure(third.get(`${server.url}/api/echo`));

    expect(error).toBeInstanceOf(SharedAcrossAppsError);
    expect(server.stats.apiRequests).toBe(0);
  });

  it('refuses a module-scope store given to the configured interceptor, from the second app on', async () => {
    const interceptor = createAuthRefreshInterceptor(options(storeOfNewUser()));
    const first = app('server', [withInterceptor(interceptor)]);
    const second = app('server', [withInterceptor(interceptor)]);
    await firstValueFrom(first.get(`${server.url}/api/echo`));
    const error = await failure(second.get(`${server.url}/api/echo`));
    const firstAfterwards = await failure(first.get(`${server.url}/api/echo`));

    expect(error).toBeInstanceOf(SharedAcrossAppsError);
    expect((error as SharedAcrossAppsError).shared).toBe('store');
    expect(firstAfterwards).toBeInstanceOf(SharedAcrossAppsError);
    expect(server.stats.apiRequests).toBe(1);
  });

  it('refuses one session provided by value to two apps', async () => {
    const session = createAuthSession({
      ...options(storeOfNewUser()),
      refresh: () => Promise.reject(new Error('unused')),
    });
    const first = app('server', [withInterceptor(), { provide: AUTH_SESSION, useValue: session }]);
    const second = app('server', [withInterceptor(), { provide: AUTH_SESSION, useValue: session }]);
    await firstValueFrom(first.get(`${server.url}/api/echo`));
    const error = await failure(second.get(`${server.url}/api/echo`));

    expect(error).toBeInstanceOf(SharedAcrossAppsError);
    expect((error as SharedAcrossAppsError).shared).toBe('session');
  });

  it('lets stores made per app, by the factory form, refresh concurrently: each app sends its own tokens', async () => {
    const users = [storeOfNewUser(), storeOfNewUser()];
    const clients = users.map((user) => {
      const tokens = user.get();
      return app('server', [withInterceptor(), provideAuthRefresh(() => options(new MemoryTokenStore(tokens)))]);
    });
    server.expireAccessTokens();
    const echoes = await Promise.all(
      clients.flatMap((client) =>
        [1, 2, 3].map((i) => firstValueFrom(client.get<EchoedRequest>(`${server.url}/api/echo?i=${i}`))),
      ),
    );
    const tokensPerApp = [echoes.slice(0, 3), echoes.slice(3)].map(
      (own) => new Set(own.map((echo) => echo.headers['authorization'])),
    );

    expect(server.stats.tokenRequests).toBe(2);
    expect(server.stats.refreshTokenReuse).toBe(0);
    expect(tokensPerApp.map((tokens) => tokens.size)).toEqual([1, 1]);
    expect(tokensPerApp[0]).not.toEqual(tokensPerApp[1]);
  });

  it('does not run an options factory as the app starts (route extraction at build time renders no request)', () => {
    const factory = jasmine.createSpy('options factory').and.throwError('needs a request');
    app('server', [withInterceptor(), provideAuthRefresh(factory)]);

    expect(factory).not.toHaveBeenCalled();
  });

  it('lets the same store serve several apps in the browser, where one page is one user (TestBed, micro-frontends)', async () => {
    const store = storeOfNewUser();
    const first = app('browser', [withInterceptor(), provideAuthRefresh(options(store))]);
    const second = app('browser', [withInterceptor(), provideAuthRefresh(options(store))]);
    const echoes = await Promise.all(
      [first, second].map((client) => firstValueFrom(client.get<EchoedRequest>(`${server.url}/api/echo`))),
    );

    expect(echoes.map((echo) => echo.headers['authorization'])).toEqual(
      Array(2).fill(`Bearer ${store.get()?.accessToken}`),
    );
  });
});
