// First: Angular's npm packages are partially compiled, and the JIT compiler must be there when they load.
import '@angular/compiler';
import { HttpClient } from '@angular/common/http';
import { firstValueFrom } from 'rxjs';
import { MemoryTokenStore, oauth2Refresh, type AuthEvent } from '../../lib/index';
import { AUTH_EVENTS, provideAuthRefresh } from '../../lib/angular/index';
import { DPoP, MemoryDPoPKeyStore } from '../../lib/dpop/index';
import { startOidcServer, type OidcServer } from '../oauth/support/oidc-server';
import { pkceLogin } from '../oauth/support/pkce-login';
import { angularInjector } from './angular-injector';
import { httpClientBackends as backends } from './http-client-backends';

// Angular's real HttpClient, through both of its backends, against oidc-provider with DPoP and
// nonces required and a resource server that validates every proof (spec/oauth/support).

describe('Angular authRefreshInterceptor with DPoP against oidc-provider', () => {
  let server: OidcServer;
  let defaultTimeout: number;
  beforeAll(async () => {
    defaultTimeout = jasmine.DEFAULT_TIMEOUT_INTERVAL;
    jasmine.DEFAULT_TIMEOUT_INTERVAL = 20_000; // a login is a dozen round trips through a real server
    server = await startOidcServer({ accessTokenTtl: 300, dpop: true });
  });
  afterAll(async () => {
    jasmine.DEFAULT_TIMEOUT_INTERVAL = defaultTimeout;
    await server.close();
  });

  for (const backend of backends) {
    it(`signs every attempt, meets both nonces and refreshes once for 20 concurrent requests (${backend.name} backend)`, async () => {
      const keyStore = new MemoryDPoPKeyStore();
      const { tokens } = await pkceLogin(server, server.clients.none, 'alice', new DPoP({ keyStore }));
      const injector = angularInjector([
        ...backend.providers(),
        provideAuthRefresh({
          store: new MemoryTokenStore({ ...tokens, expiresAt: undefined }),
          dpop: new DPoP({ keyStore }), // a reload: the key kept, every nonce forgotten
          refresh: oauth2Refresh({ clientId: server.clients.none.clientId, tokenUrl: server.tokenUrl }),
          allowedOrigins: [new URL(server.apiUrl).origin],
        }),
      ]);
      const events: AuthEvent[] = [];
      injector.get(AUTH_EVENTS).subscribe((event) => events.push(event));
      const http = injector.get(HttpClient);
      const refreshesBefore = server.stats.grants['refresh_token'] ?? 0;
      await server.expireAccessToken(tokens.accessToken);
      try {
        const answers = await Promise.all(
          Array.from({ length: 20 }, () => firstValueFrom(http.get<{ sub: string }>(server.apiUrl))),
        );
        expect(answers.every((answer) => answer.sub === 'alice')).toBe(true);
        expect(server.stats.grants['refresh_token']).toBe(refreshesBefore + 1);
        expect(events.filter((event) => event.type === 'refresh-start').length).toBe(1);
        expect(server.dpopApi!.stats.refused).toEqual([]);
      } finally {
        injector.destroy();
      }
    });
  }
});
