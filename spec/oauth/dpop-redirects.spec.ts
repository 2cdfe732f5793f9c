import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { lastValueFrom } from 'rxjs';
import { createHttpClient, MemoryTokenStore, oauth2Refresh, type HttpClient, type HttpTransport } from '../../lib';
import { DPoP, MemoryDPoPKeyStore } from '../../lib/dpop';
import { nodeHttpTransport } from '../../lib/node';
import { startOidcServer, type OidcServer } from './support/oidc-server';
import { pkceLogin } from './support/pkce-login';

// A DPoP proof names one method and URI and may be presented once (RFC 9449 4.3, 11.1). Against
// oidc-provider's DPoP and a resource server that checks htm, htu (against the request target as it
// arrived), ath, iat and jti itself: redirects, and paths the two URL parsers of Node spell apart.

interface Answer {
  readonly sub: string;
  readonly path: string;
  readonly method: string;
}

/** A foreign origin that records the headers of every request it gets. */
async function startRecorder(): Promise<{ origin: string; seen: http.IncomingHttpHeaders[]; close(): Promise<void> }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: 'foreign', path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const transports: ReadonlyArray<readonly [string, HttpTransport | undefined]> = [
  ['rxjs/ajax over xhr2 (the default)', undefined],
  ['nodeHttpTransport', nodeHttpTransport()],
];

for (const [transportName, transport] of transports) {
  describe(`DPoP proofs, redirects and the URI on the wire, over ${transportName}`, () => {
    let server: OidcServer;
    let recorder: Awaited<ReturnType<typeof startRecorder>>;
    let client: HttpClient;
    let apiOrigin: string;
    let defaultTimeout: number;

    beforeAll(async () => {
      defaultTimeout = jasmine.DEFAULT_TIMEOUT_INTERVAL;
      jasmine.DEFAULT_TIMEOUT_INTERVAL = 20_000; // a login is a dozen round trips through a real server
      server = await startOidcServer({ accessTokenTtl: 300, dpop: true });
      recorder = await startRecorder();
      apiOrigin = new URL(server.apiUrl).origin;
      const keyStore = new MemoryDPoPKeyStore();
      const registered = server.clients.none;
      const { tokens } = await pkceLogin(server, registered, 'alice', new DPoP({ keyStore }));
      client = createHttpClient({
        ...(transport ? { transport } : {}),
        auth: {
          store: new MemoryTokenStore({ ...tokens, expiresAt: undefined }),
          dpop: new DPoP({ keyStore }),
          refresh: oauth2Refresh({ clientId: registered.clientId, tokenUrl: server.tokenUrl }),
          // The foreign origin may not receive the token, whatever a redirect says.
          allowedOrigins: [apiOrigin],
        },
      });
    });
    afterAll(async () => {
      jasmine.DEFAULT_TIMEOUT_INTERVAL = defaultTimeout;
      await Promise.all([server.close(), recorder.close()]);
    });

    const api = () => server.dpopApi!.stats;
    const refreshes = () => server.stats.grants['refresh_token'] ?? 0;
    const redirect = (status: number, to: string) => `${apiOrigin}/redirect/${status}?to=${encodeURIComponent(to)}`;

    it('follows a same-origin redirect with a fresh proof for the new URI, and no refresh', async () => {
      const refused = api().refused.length;
      const refreshesBefore = refreshes();
      const jtis = api().jtis.size;

      const answer = await lastValueFrom(client.get<Answer>(redirect(307, '/api/after-redirect')));

      expect(answer).toEqual({ sub: 'alice', path: '/api/after-redirect', method: 'GET' });
      expect(api().refused.slice(refused)).toEqual([]);
      expect(refreshes()).toBe(refreshesBefore);
      expect(api().jtis.size).toBeGreaterThan(jtis);
    });

    it('turns a POST into a GET on a 303, signed for GET', async () => {
      const refused = api().refused.length;
      const answer = await lastValueFrom(client.post<Answer>(redirect(303, `${apiOrigin}/api/created`), { a: 1 }));
      expect(answer).toEqual({ sub: 'alice', path: '/api/created', method: 'GET' });
      expect(api().refused.slice(refused)).toEqual([]);
    });

    it('keeps the method on a 307, signed for it', async () => {
      const answer = await lastValueFrom(client.put<Answer>(redirect(307, '/api/moved'), { a: 1 }));
      expect(answer).toEqual({ sub: 'alice', path: '/api/moved', method: 'PUT' });
    });

    it('sends neither Authorization nor DPoP across a redirect to another origin', async () => {
      const before = recorder.seen.length;
      const answer = await lastValueFrom(client.get<{ sub: string }>(redirect(302, `${recorder.origin}/landing`)));
      expect(answer.sub).toBe('foreign');
      const arrived = recorder.seen.slice(before);
      expect(arrived.length).toBe(1);
      expect(arrived[0]!['authorization']).toBeUndefined();
      expect(arrived[0]!['dpop']).toBeUndefined();
    });

    for (const path of ["/api/x/O'Brien", '/api/x/a|b', '/api/x/a^b', '/api/x/a b', '/api/x/é', '/api/x/{a}']) {
      it(`signs ${JSON.stringify(path)} as it goes on the wire: accepted, no refresh`, async () => {
        const refused = api().refused.length;
        const refreshesBefore = refreshes();
        const answer = await lastValueFrom(client.get<Answer>(`${apiOrigin}${path}`));
        expect(answer.path).toBe(new URL(path, apiOrigin).pathname);
        expect(api().refused.slice(refused)).toEqual([]);
        expect(refreshes()).toBe(refreshesBefore);
      });
    }
  });
}
