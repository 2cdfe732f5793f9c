import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, EmbeddedJWK, jwtVerify } from 'jose';
import { lastValueFrom, map, of, throwError } from 'rxjs';
import { ajax } from 'rxjs/ajax';
import XHR2 from 'xhr2';
import {
  createAuthSession,
  createHttpClient,
  HttpError,
  MemoryTokenStore,
  type AuthTokens,
  type RefreshContext,
} from '../../lib';
import { DPoP, DPoPKeyLostError } from '../../lib/dpop';

interface Seen {
  readonly authorization: string | undefined;
  readonly proof: string;
}
type Answer = { readonly status: number; readonly headers?: Record<string, string> };

// A loopback API that answers from a script, one answer per request, and keeps what it was sent.
async function scriptedApi(next: (index: number) => Answer) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ authorization: req.headers.authorization, proof: String(req.headers['dpop']) });
    const { status, headers = {} } = next(seen.length - 1);
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(status === 200 ? '{"ok":true}' : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

// Signed in: the key made by the login's proof, the tokens bound to it.
async function clientFor(origin: string, refreshed: AuthTokens[] = []) {
  let refreshes = 0;
  const dpop = new DPoP();
  await dpop.proof('POST', `${origin}/token`);
  const client = createHttpClient({
    baseUrl: origin,
    retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 1 },
    auth: {
      store: new MemoryTokenStore({ accessToken: 'at-1', refreshToken: 'rt-1' }),
      dpop,
      refresh: () => Promise.resolve(refreshed[refreshes++] ?? { accessToken: `at-${refreshes + 1}` }),
    },
  });
  return { client, refreshes: () => refreshes };
}

const claimsOf = (seen: Seen) => decodeJwt(seen.proof);
const ath = (token: string) => createHash('sha256').update(token).digest('base64url');
const nonceChallenge = (nonce: string): Answer => ({
  status: 401,
  headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': nonce },
});

describe('DPoP on the client: proofs per attempt, nonces and the retry budget (loopback)', () => {
  let closeApi: () => Promise<void> = () => Promise.resolve();
  afterEach(() => closeApi());

  it('signs every attempt anew: a 503 retried by the client carries a new, valid proof', async () => {
    const api = await scriptedApi((index) => ({ status: index === 0 ? 503 : 200 }));
    closeApi = api.close;
    const { client } = await clientFor(api.origin);
    await lastValueFrom(client.get('/orders?page=2#top'));
    expect(api.seen.length).toBe(2);
    const claims = api.seen.map(claimsOf);
    expect(claims[0]!.jti).not.toBe(claims[1]!.jti);
    for (const seen of api.seen) {
      const { payload, protectedHeader } = await jwtVerify(seen.proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: ['ES256'],
      });
      expect(Object.keys(protectedHeader.jwk ?? {}).sort()).toEqual(['crv', 'kty', 'x', 'y']); // the public half only
      expect(payload).toEqual(jasmine.objectContaining({ htm: 'GET', htu: `${api.origin}/orders`, ath: ath('at-1') }));
      expect(seen.authorization).toBe('DPoP at-1');
    }
  });

  // docs/custom-refresh.md: a refresh function of one's own signs its token request with the session's key.
  it("passes a custom refresh the session's key as its RefreshContext (dpop), and null to a session without DPoP", async () => {
    // The first /orders meets a 401, the token request comes next, then the retry succeeds.
    const api = await scriptedApi((index) => ({ status: index === 0 ? 401 : 200 }));
    closeApi = api.close;
    const contexts: Array<RefreshContext['dpop']> = [];
    const dpop = new DPoP();
    await dpop.proof('POST', `${api.origin}/login`); // signed in: the login made the key
    const refresh = async (tokens: AuthTokens, context: RefreshContext): Promise<AuthTokens> => {
      contexts.push(context.dpop);
      const url = `${api.origin}/token`;
      const headers: Record<string, string> = context.dpop ? { dpop: await context.dpop.proof('POST', url) } : {};
      await fetch(url, { method: 'POST', headers, body: tokens.refreshToken });
      return { accessToken: 'at-2' };
    };
    const client = createHttpClient({
      baseUrl: api.origin,
      auth: { store: new MemoryTokenStore({ accessToken: 'at-1', refreshToken: 'rt-1' }), dpop, refresh },
    });
    await lastValueFrom(client.get('/orders'));

    expect(contexts).toEqual([dpop]);
    expect(api.seen.length).toBe(3);
    const [first, token, retry] = await Promise.all(
      api.seen.map(async (seen) => (await jwtVerify(seen.proof, EmbeddedJWK, { typ: 'dpop+jwt' })).protectedHeader.jwk),
    );
    expect(token).toEqual(first); // the token request is signed with the key the API requests are
    expect(retry).toEqual(first);
    expect(claimsOf(api.seen[1]!)).toEqual(jasmine.objectContaining({ htm: 'POST', htu: `${api.origin}/token` }));

    const plain = createAuthSession({ store: new MemoryTokenStore({ accessToken: 'x', refreshToken: 'r' }), refresh });
    await lastValueFrom(plain.authorize((token) => (token === 'x' ? throwError(() => ({ status: 401 })) : of(token))));
    expect(contexts).toEqual([dpop, null]);
  });

  it('resends once with the nonce of a 401 use_dpop_nonce, and a challenge that remains after that fails without a refresh', async () => {
    const api = await scriptedApi((index) => nonceChallenge(`n-${index}`));
    closeApi = api.close;
    const { client, refreshes } = await clientFor(api.origin);
    const error = await lastValueFrom(client.get('/me')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
    expect(api.seen.length).toBe(2);
    expect(claimsOf(api.seen[0]!)['nonce']).toBeUndefined();
    expect(claimsOf(api.seen[1]!)['nonce']).toBe('n-0');
    expect(refreshes()).toBe(0);
    // A proof may be replayed within its iat window where a server keeps no jti: errors hide it.
    expect((error as HttpError).request?.headers['dpop']).toBe('[redacted]');
    expect(JSON.stringify(error)).not.toContain(api.seen[1]!.proof);
  });

  it('takes the nonce from a success too, and sends the refreshed token with its own ath', async () => {
    const answers: Answer[] = [
      { status: 200, headers: { 'dpop-nonce': 'from-success' } },
      { status: 401, headers: { 'www-authenticate': 'DPoP error="invalid_token"' } },
      { status: 200 },
    ];
    const api = await scriptedApi((index) => answers[index] ?? { status: 500 });
    closeApi = api.close;
    const { client, refreshes } = await clientFor(api.origin, [{ accessToken: 'at-2' }]);
    await lastValueFrom(client.get('/a'));
    await lastValueFrom(client.get('/b'));
    expect(refreshes()).toBe(1);
    expect(api.seen.map((seen) => seen.authorization)).toEqual(['DPoP at-1', 'DPoP at-1', 'DPoP at-2']);
    expect(api.seen.map((seen) => claimsOf(seen)['ath'])).toEqual([ath('at-1'), ath('at-1'), ath('at-2')]);
    expect(api.seen.map((seen) => claimsOf(seen)['nonce'])).toEqual([undefined, 'from-success', 'from-success']);
  });

  it('takes a Bearer challenge that quotes use_dpop_nonce for what it is: a refused token, refreshed', async () => {
    const quoted: Answer = {
      status: 401,
      headers: {
        'www-authenticate': 'Bearer error="invalid_token", error_description="not DPoP error=\\"use_dpop_nonce\\""',
        'dpop-nonce': 'n',
      },
    };
    const api = await scriptedApi((index) => (index === 0 ? quoted : { status: 200 }));
    closeApi = api.close;
    const { client, refreshes } = await clientFor(api.origin);
    await lastValueFrom(client.get('/me'));
    expect(refreshes()).toBe(1);
    expect(api.seen.map((seen) => seen.authorization)).toEqual(['DPoP at-1', 'DPoP at-2']);
  });

  it('gives session.authorize over rxjs/ajax the same nonce retry, reading nonces from AjaxError and AjaxResponse', async () => {
    const answers: Answer[] = [
      nonceChallenge('n-1'),
      { status: 200, headers: { 'dpop-nonce': 'n-2' } },
      { status: 200 },
    ];
    const api = await scriptedApi((index) => answers[index] ?? { status: 500 });
    closeApi = api.close;
    const dpop = new DPoP();
    await dpop.proof('POST', `${api.origin}/token`); // the login's key
    let refreshes = 0;
    const session = createAuthSession({
      store: new MemoryTokenStore({ accessToken: 'at-1' }),
      dpop,
      refresh: () => Promise.resolve({ accessToken: `at-${++refreshes + 1}` }),
    });
    const url = `${api.origin}/me`;
    const get = () =>
      session
        .authorize((token) =>
          dpop.signed('GET', url, token ?? undefined, (proof) =>
            ajax({ url, headers: { Authorization: `DPoP ${token}`, DPoP: proof }, createXHR: () => new XHR2() }),
          ),
        )
        .pipe(map((answer) => answer.status));
    expect(await lastValueFrom(get())).toBe(200);
    expect(await lastValueFrom(get())).toBe(200);
    expect(refreshes).toBe(0);
    expect(api.seen.map((seen) => claimsOf(seen)['nonce'])).toEqual([undefined, 'n-1', 'n-2']);
  });

  it('signs a signed-out request with a key it makes, and one with a token only with the key it is bound to', async () => {
    const api = await scriptedApi(() => ({ status: 200 }));
    closeApi = api.close;
    const url = `${api.origin}/public`;
    const send = (proof: string) => ajax({ url, headers: { DPoP: proof }, createXHR: () => new XHR2() });
    const signedOut = await lastValueFrom(new DPoP().signed('GET', url, undefined, send));
    expect(signedOut.status).toBe(200);
    expect(claimsOf(api.seen[0]!)['ath']).toBeUndefined();
    const error = await lastValueFrom(new DPoP().signed('GET', url, 'at-1', send)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DPoPKeyLostError);
    expect(api.seen.length).toBe(1);
  });
});
