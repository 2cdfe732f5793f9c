// First: Angular's npm packages are partially compiled, and the JIT compiler must be there when they load.
import '@angular/compiler';
import { HttpBackend, HttpClient, type HttpEvent, type HttpRequest } from '@angular/common/http';
import type { EnvironmentInjector } from '@angular/core';
import { firstValueFrom, type Observable } from 'rxjs';
import { AuthRefreshError, HttpError, MemoryTokenStore, oauth2Refresh } from '../../lib/index';
import { provideAuthRefresh } from '../../lib/angular/index';
import { startTestAuthServer, type TestAuthServer } from '../../lib/testing/index';
import { angularInjector } from './angular-injector';
import { httpClientBackends as backends } from './http-client-backends';

// The core's oauth2Refresh under the Angular adapter, against the loopback token server, through
// Angular's real backends: the token request goes out through the app's HttpBackend (fetch with
// withFetch(), else XHR), never through a transport of the library's own.

interface Echo {
  headers: Record<string, string | undefined>;
}

for (const backend of backends) {
  describe(`Angular adapter with oauth2Refresh against the loopback token server (${backend.name} backend)`, () => {
    let server: TestAuthServer;
    let injector: EnvironmentInjector;
    let store: MemoryTokenStore;
    let sentByBackend: string[];

    beforeEach(async () => {
      server = await startTestAuthServer();
      store = new MemoryTokenStore(server.issueTokens());
      sentByBackend = [];
      injector = angularInjector([
        ...backend.providers(),
        provideAuthRefresh({
          store,
          refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token`, clientId: 'web' }),
          allowedOrigins: [server.url],
        }),
      ]);
      // Every request the app's backend sends, seen from the backend itself.
      const real = injector.get(HttpBackend);
      const handle = real.handle.bind(real);
      real.handle = (req: HttpRequest<unknown>): Observable<HttpEvent<unknown>> => {
        sentByBackend.push(`${req.method} ${new URL(req.url).pathname}`);
        return handle(req);
      };
    });

    afterEach(async () => {
      injector.destroy();
      await server.close();
    });

    it('refreshes once for 6 concurrent 401s, the token request sent by the backend', async () => {
      server.expireAccessTokens();
      const http = injector.get(HttpClient);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => firstValueFrom(http.get<Echo>(`${server.url}/api/echo?i=${i}`))),
      );
      const fresh = store.get();
      expect(server.stats.tokenRequests).toBe(1);
      expect(server.stats.refreshTokenReuse).toBe(0);
      expect(results.map((echo) => echo.headers['authorization'])).toEqual(
        Array(6).fill(`Bearer ${fresh?.accessToken}`),
      );
      expect(sentByBackend.filter((sent) => sent === 'POST /oauth/token')).toEqual(['POST /oauth/token']);
      expect(sentByBackend.length).toBe(13); // 6 requests, the token request, 6 retries
      expect(Object.fromEntries(new URLSearchParams(server.stats.lastTokenRequest!.body))).toEqual(
        jasmine.objectContaining({ grant_type: 'refresh_token', client_id: 'web' }),
      );
    });

    it("ends the session on invalid_grant read from the backend's error, as the core's HttpError", async () => {
      server.expireAccessTokens();
      server.failTokenRequests('invalid_grant');
      const error = await firstValueFrom(injector.get(HttpClient).get(`${server.url}/api/echo`)).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AuthRefreshError);
      expect((error as AuthRefreshError).reason).toBe('rejected');
      expect((error as AuthRefreshError).oauthError).toBe('invalid_grant');
      const cause = (error as AuthRefreshError).cause as HttpError;
      expect(cause).toBeInstanceOf(HttpError);
      expect(cause.status).toBe(400);
      expect(cause.body).toEqual(jasmine.objectContaining({ error: 'invalid_grant' }));
      expect(sentByBackend).toContain('POST /oauth/token');
      expect(store.get()).toBeNull();
    });
  });
}
