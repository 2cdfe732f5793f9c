import { lastValueFrom } from 'rxjs';
import {
  AuthRefreshError,
  createHttpClient,
  HttpError,
  MemoryTokenStore,
  oauth2Refresh,
  type AuthEvent,
  type HttpClient,
} from '../../lib';
import { DPoP, DPoPKeyLostError, MemoryDPoPKeyStore } from '../../lib/dpop';
import { startOidcServer, type OidcServer } from './support/oidc-server';
import { pkceLogin } from './support/pkce-login';

// DPoP (RFC 9449) against oidc-provider with nonces required at its token endpoint, and a resource
// server (an origin of its own) that validates every proof with jose and requires its own nonce.
// The client is public, so its refresh token is bound to the key as well.
describe('DPoP against a real OAuth 2.0 server (oidc-provider, nonces required)', () => {
  let server: OidcServer;
  let defaultTimeout: number;
  beforeAll(async () => {
    // A login is a dozen round trips through a real server: slow on a loaded machine.
    defaultTimeout = jasmine.DEFAULT_TIMEOUT_INTERVAL;
    jasmine.DEFAULT_TIMEOUT_INTERVAL = 20_000;
    server = await startOidcServer({ accessTokenTtl: 300, dpop: true });
  });
  afterAll(async () => {
    jasmine.DEFAULT_TIMEOUT_INTERVAL = defaultTimeout;
    await server.close();
  });

  interface Signed {
    readonly client: HttpClient;
    readonly store: MemoryTokenStore;
    readonly keyStore: MemoryDPoPKeyStore;
    readonly events: AuthEvent[];
    readonly tokenType: unknown;
  }

  // Logs in with one DPoP instance, then gives the client a new one over the same key store: a
  // page reload, which keeps the key and forgets every nonce.
  async function signIn(): Promise<Signed> {
    const keyStore = new MemoryDPoPKeyStore();
    const registered = server.clients.none;
    const { tokens, body } = await pkceLogin(server, registered, 'alice', new DPoP({ keyStore }));
    const store = new MemoryTokenStore({ ...tokens, expiresAt: undefined });
    const client = createHttpClient({
      auth: {
        store,
        dpop: new DPoP({ keyStore }),
        refresh: oauth2Refresh({ clientId: registered.clientId, tokenUrl: server.tokenUrl }),
        allowedOrigins: [new URL(server.apiUrl).origin],
        maxRefreshes: false,
      },
    });
    const events: AuthEvent[] = [];
    client.authEvents$.subscribe((event) => events.push(event));
    return { client, store, keyStore, events, tokenType: body['token_type'] };
  }

  const api = () => server.dpopApi!.stats;
  const roundTrips = () => api().ok + api().nonceChallenges + api().invalidTokens + api().refused.length;
  const refreshStarts = (events: AuthEvent[]) => events.filter((event) => event.type === 'refresh-start').length;
  const concurrently = (client: HttpClient, count: number) =>
    Promise.all(Array.from({ length: count }, () => lastValueFrom(client.get<{ sub: string }>(server.apiUrl))));

  it('turns 40 concurrent requests after expiry into 1 refresh, meeting both nonces, every proof valid and unique', async () => {
    const { client, store, events, tokenType } = await signIn();
    expect(tokenType).toBe('DPoP');
    const first = store.get()!;
    const refreshesBefore = server.stats.grants['refresh_token'] ?? 0;
    const nonceErrorsBefore = server.stats.grantErrors['use_dpop_nonce'] ?? 0;
    const tripsBefore = roundTrips();
    const jtisBefore = api().jtis.size;
    await server.expireAccessToken(first.accessToken);

    const answers = await concurrently(client, 40);

    expect(answers).toEqual(Array.from({ length: 40 }, () => ({ sub: 'alice', path: '/api/me', method: 'GET' })));
    expect(server.stats.grants['refresh_token']).toBe(refreshesBefore + 1);
    expect(refreshStarts(events)).toBe(1);
    // The refresh met the token endpoint's nonce (this client had none yet) and was retried inside the flight.
    expect(server.stats.grantErrors['use_dpop_nonce']).toBe(nonceErrorsBefore + 1);
    expect(store.get()!.refreshToken).not.toBe(first.refreshToken);
    expect(api().refused).toEqual([]);
    const trips = roundTrips() - tripsBefore;
    // Every proof the server saw was new: a replayed jti is refused, and each accepted one is kept.
    expect(api().jtis.size - jtisBefore).toBe(trips);
    // At most a nonce round, an expired-token round and the retry per request.
    expect(trips).toBeLessThanOrEqual(40 * 3);
    report('40 concurrent after expiry, nonces unknown', {
      refreshes: 1,
      apiRoundTrips: trips,
      tokenEndpointNonceRetries: 1,
    });
  });

  it('meets a nonce rotated mid-run with one more round for the requests that met it, and no refresh', async () => {
    const { client, events } = await signIn();
    await concurrently(client, 1); // learns the API's nonce
    const refreshesBefore = server.stats.grants['refresh_token'] ?? 0;
    const challengesBefore = api().nonceChallenges;
    const tripsBefore = roundTrips();

    server.dpopApi!.rotateNonce();
    const met = await concurrently(client, 50);
    const metTrips = roundTrips() - tripsBefore;
    const challenges = api().nonceChallenges - challengesBefore;
    // Started after the first answer with the new nonce: they carry it at once.
    const after = await concurrently(client, 50);
    const afterTrips = roundTrips() - tripsBefore - metTrips;

    expect([...met, ...after].every((answer) => answer.sub === 'alice')).toBe(true);
    expect(challenges).toBeGreaterThan(0);
    expect(metTrips).toBe(50 + challenges);
    expect(metTrips).toBeLessThanOrEqual(100);
    expect(afterTrips).toBe(50);
    expect(api().nonceChallenges - challengesBefore).toBe(challenges);
    expect(server.stats.grants['refresh_token'] ?? 0).toBe(refreshesBefore);
    expect(refreshStarts(events)).toBe(0);
    expect(api().refused).toEqual([]);
    report('50 concurrent meeting a rotated nonce, then 50 more', {
      refreshes: 0,
      nonceChallenges: challenges,
      roundTrips: metTrips,
      laterRoundTrips: afterTrips,
    });
  });

  it('sends a DPoP token only as DPoP: the same token as Bearer is refused', async () => {
    const { client, store } = await signIn();
    expect(await lastValueFrom(client.get(server.apiUrl))).toEqual({ sub: 'alice', path: '/api/me', method: 'GET' });
    const asBearer = await fetch(server.apiUrl, { headers: { authorization: `Bearer ${store.get()!.accessToken}` } });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(() =>
      createHttpClient({
        auth: {
          dpop: new DPoP(),
          refresh: () => Promise.reject(new Error('unused')),
          tokenPlacement: { header: 'Authorization', scheme: 'Bearer' },
        },
      }),
    ).toThrowError(TypeError, /tokenPlacement cannot be set with auth.dpop/);
  });

  // docs/dpop.md: the option serves a refresh function called outside a session (or with another key).
  it("signs with oauth2Refresh's own dpop option outside a session; without it the bound refresh token is refused", async () => {
    const keyStore = new MemoryDPoPKeyStore();
    const registered = server.clients.none;
    const { tokens } = await pkceLogin(server, registered, 'alice', new DPoP({ keyStore }));
    const options = { clientId: registered.clientId, tokenUrl: server.tokenUrl };

    const unsigned = await lastValueFrom(oauth2Refresh(options)(tokens)).catch((caught: unknown) => caught);
    const fresh = await lastValueFrom(oauth2Refresh({ ...options, dpop: new DPoP({ keyStore }) })(tokens));

    expect(unsigned).toEqual(jasmine.any(HttpError));
    expect((unsigned as HttpError).status).toBe(400);
    expect((unsigned as HttpError).request?.headers['dpop']).toBeUndefined();
    expect(fresh.accessToken).not.toBe(tokens.accessToken);
    expect(fresh.refreshToken).not.toBe(tokens.refreshToken);
    // Bound to the same key: the resource server takes it with a proof from that key.
    const client = createHttpClient({
      auth: {
        store: new MemoryTokenStore(fresh),
        dpop: new DPoP({ keyStore }),
        refresh: () => Promise.reject(new Error('unused')),
        allowedOrigins: [new URL(server.apiUrl).origin],
      },
    });
    expect(await lastValueFrom(client.get(server.apiUrl))).toEqual({ sub: 'alice', path: '/api/me', method: 'GET' });
  });

  it('ends the session with DPoPKeyLostError when the key is gone, sending the bound tokens nowhere', async () => {
    const { keyStore, store } = await signIn();
    await keyStore.delete(); // site data cleared, say: the tokens stay, the key does not
    const client = createHttpClient({
      auth: {
        store,
        dpop: new DPoP({ keyStore }),
        refresh: oauth2Refresh({ clientId: server.clients.none.clientId, tokenUrl: server.tokenUrl }),
        allowedOrigins: [new URL(server.apiUrl).origin],
      },
    });
    const events: AuthEvent[] = [];
    client.authEvents$.subscribe((event) => events.push(event));
    const grantsBefore = JSON.stringify(server.stats.grants);
    const tripsBefore = roundTrips();

    const error = await lastValueFrom(client.get(server.apiUrl)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AuthRefreshError);
    expect((error as AuthRefreshError).reason).toBe('rejected');
    expect((error as AuthRefreshError).cause).toBeInstanceOf(DPoPKeyLostError);
    expect(store.get()).toBeNull();
    expect(events.map((event) => event.type)).toContain('session-expired');
    expect(JSON.stringify(server.stats.grants)).toBe(grantsBefore);
    expect(roundTrips()).toBe(tripsBefore);
    expect(await keyStore.get()).toBeNull(); // no new key was made for tokens bound to the old one
  });
});

function report(what: string, figures: Record<string, number>): void {
  console.log(
    `  [oidc-provider, DPoP] ${what}: ${Object.entries(figures)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}`,
  );
}
