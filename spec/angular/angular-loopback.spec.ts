// First: Angular's npm packages are partially compiled, and the JIT compiler must be there when they load.
import '@angular/compiler';
import { HttpClient, type HttpErrorResponse, HttpParams } from '@angular/common/http';
import { inject, type EnvironmentInjector } from '@angular/core';
import { firstValueFrom, map, type Observable } from 'rxjs';
import { AuthRefreshError, MemoryTokenStore, type AuthEvent, type AuthOptions, type AuthTokens } from '../../lib/index';
import { AUTH_EVENTS, provideAuthRefresh, skipAuth } from '../../lib/angular/index';
import { startTestAuthServer, type TestAuthServer } from '../../lib/testing/index';
import { angularInjector } from './angular-injector';
import { httpClientBackends as backends } from './http-client-backends';

// Angular's real HttpClient against the loopback token server, through both of its real
// backends: fetch (`withFetch()`), and XHR (the default) with xhr2 standing in for the browser's.

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
}

interface Echo {
  headers: Record<string, string | undefined>;
}

for (const backend of backends) {
  describe(`Angular authRefreshInterceptor against the loopback token server (${backend.name} backend)`, () => {
    let server: TestAuthServer;
    let injector: EnvironmentInjector;
    let http: HttpClient;
    let store: MemoryTokenStore;
    let events: AuthEvent[];

    /** The refresh an app writes: the app's HttpClient, a form post, SKIP_AUTH (unless told not to). */
    function refreshThroughHttpClient(skip = true): (tokens: AuthTokens) => Observable<AuthTokens> {
      return (tokens) => {
        const body = new HttpParams({
          fromObject: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '' },
        });
        return inject(HttpClient)
          .post<TokenAnswer>(`${server.url}/oauth/token`, body, skip ? { context: skipAuth() } : {})
          .pipe(
            map((answer) => ({
              accessToken: answer.access_token,
              refreshToken: answer.refresh_token,
              expiresAt: Date.now() + (answer.expires_in ?? 60) * 1000,
            })),
          );
      };
    }

    async function start(options: Partial<AuthOptions> = {}): Promise<void> {
      server = await startTestAuthServer();
      const issued = server.issueTokens();
      store = new MemoryTokenStore({ accessToken: issued.accessToken, refreshToken: issued.refreshToken });
      injector = angularInjector([
        ...backend.providers(),
        provideAuthRefresh({ store, refresh: refreshThroughHttpClient(), allowedOrigins: [server.url], ...options }),
      ]);
      http = injector.get(HttpClient);
      events = [];
      injector.get(AUTH_EVENTS).subscribe((event) => events.push(event));
    }

    afterEach(async () => {
      injector.destroy();
      await server.close();
    });

    function settle<T>(request: Observable<T>): Promise<{ value?: T; error?: unknown }> {
      return firstValueFrom(request).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
    }

    it('refreshes once for 8 concurrent 401s and every request succeeds with the rotated token', async () => {
      await start();
      server.expireAccessTokens();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => firstValueFrom(http.get<Echo>(`${server.url}/api/echo?i=${i}`))),
      );
      const fresh = store.get();
      expect(server.stats.tokenRequests).toBe(1);
      expect(server.stats.refreshTokenReuse).toBe(0);
      expect(server.stats.unauthorized).toBe(8);
      expect(fresh).not.toBeNull();
      expect(results.map((echo) => echo.headers['authorization'])).toEqual(
        Array(8).fill(`Bearer ${fresh?.accessToken}`),
      );
      expect(server.stats.lastTokenRequest?.headers.authorization).toBeUndefined();
      expect(events.map((event) => event.type)).toEqual(['refresh-start', 'refresh-success']);
    });

    it('refreshes before sending when the stored token has expired, so the API sees no 401', async () => {
      await start();
      const issued = server.issueTokens();
      store.set({ accessToken: issued.accessToken, refreshToken: issued.refreshToken, expiresAt: Date.now() - 1 });
      const echo = await firstValueFrom(http.get<Echo>(`${server.url}/api/echo`));
      expect(server.stats.tokenRequests).toBe(1);
      expect(server.stats.unauthorized).toBe(0);
      expect(echo.headers['authorization']).toBe(`Bearer ${store.get()?.accessToken}`);
      expect(store.get()?.accessToken).not.toBe(issued.accessToken);
    });

    it('gives every caller the AuthRefreshError when the token endpoint fails, and keeps the tokens', async () => {
      await start();
      const before = store.get();
      server.expireAccessTokens();
      server.failTokenRequests('server_error');
      const outcomes = await Promise.all(
        Array.from({ length: 4 }, (_, i) => settle(http.get(`${server.url}/api/echo?i=${i}`))),
      );
      expect(server.stats.tokenRequests).toBe(1);
      for (const { error } of outcomes) {
        expect(error).toBeInstanceOf(AuthRefreshError);
        expect((error as AuthRefreshError).reason).toBe('failed');
      }
      expect(store.get()).toEqual(before);
    });

    it('ends the session on invalid_grant: store cleared, every caller rejected, session-expired event', async () => {
      await start();
      server.expireAccessTokens();
      server.failTokenRequests('invalid_grant');
      const outcomes = await Promise.all(
        Array.from({ length: 3 }, (_, i) => settle(http.get(`${server.url}/api/echo?i=${i}`))),
      );
      expect(server.stats.tokenRequests).toBe(1);
      expect(outcomes.map(({ error }) => (error as AuthRefreshError).reason)).toEqual([
        'rejected',
        'rejected',
        'rejected',
      ]);
      expect(store.get()).toBeNull();
      expect(events.map((event) => event.type)).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
    });

    it('sends no token and refreshes nothing for a SKIP_AUTH request', async () => {
      await start();
      const publicEcho = await firstValueFrom(http.get<Echo>(`${server.url}/public/echo`, { context: skipAuth() }));
      expect(publicEcho.headers['authorization']).toBeUndefined();
      const { error } = await settle(http.get(`${server.url}/api/echo`, { context: skipAuth() }));
      expect((error as HttpErrorResponse).status).toBe(401);
      expect(server.stats.tokensSeen).toEqual(['']);
      expect(server.stats.tokenRequests).toBe(0);
    });

    it('never sends the token to another origin (another port), and does not refresh for its 401', async () => {
      await start();
      const elsewhere = await startTestAuthServer();
      try {
        const { error } = await settle(http.get(`${elsewhere.url}/api/echo`));
        expect((error as HttpErrorResponse).status).toBe(401);
        expect(elsewhere.stats.tokensSeen).toEqual(['']);
        expect(server.stats.tokenRequests).toBe(0);
        expect(events).toEqual([]);
      } finally {
        await elsewhere.close();
      }
    });

    it('bounds the deadlock of a refresh whose own request lacks SKIP_AUTH by refreshTimeout', async () => {
      // The refresh's POST waits for the refresh it belongs to: only refreshTimeout ends the wait.
      await start({ refresh: refreshThroughHttpClient(false), refreshTimeout: 100 });
      server.expireAccessTokens();
      const { error } = await settle(http.get(`${server.url}/api/echo`));
      expect(error).toBeInstanceOf(AuthRefreshError);
      expect((error as AuthRefreshError).reason).toBe('timeout');
      expect(server.stats.tokenRequests).toBe(0);
    });
  });
}
