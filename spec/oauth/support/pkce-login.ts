import { createHash, randomBytes } from 'node:crypto';
import type { AuthTokens } from '../../../lib/auth/token-store';
import type { DPoP } from '../../../lib/dpop';
import type { OidcServer, RegisteredClient } from './oidc-server';

/** What the login's code exchange returned, as the server sent it. */
export interface LoginAnswer {
  readonly tokens: AuthTokens;
  readonly body: Record<string, unknown>;
}

/**
 * Signs a user in for real: authorization request with PKCE (S256), the provider's login and
 * consent pages submitted over HTTP with its cookies, then the code exchanged at the token endpoint
 * (with a proof from `dpop`, when given, so the tokens are bound to its key).
 */
export async function pkceLogin(
  server: OidcServer,
  client: RegisteredClient,
  user = 'alice',
  dpop?: DPoP,
): Promise<LoginAnswer> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = new URL(`${server.issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: server.redirectUri,
    scope: 'openid offline_access',
    prompt: 'consent',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
  }).toString();

  const cookies = new Map<string, string>();
  let url = authorize.href;
  let form: Record<string, string> | null = null;
  for (let hop = 0; hop < 20; hop++) {
    const response: Response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (pair && at > 0) cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    form = null;
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.href.startsWith(server.redirectUri)) return exchange(server, client, next, verifier, dpop);
      url = next.href;
      continue;
    }
    // An interaction page: submit its form (login, then consent) as a user would.
    const page: string = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1];
    if (!action || !prompt)
      throw new Error(
        `unexpected page during login (${response.status}): ${page
          .replace(/<style>[^]*<\/style>/, '')
          .replace(/<[^>]*>/g, ' ')
          .replace(/\s+/g, ' ')
          .slice(0, 400)}`,
      );
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    form = prompt === 'login' ? { prompt, login: user, password: 'any' } : { prompt };
  }
  throw new Error('the login did not reach the redirect URI');
}

async function exchange(
  server: OidcServer,
  client: RegisteredClient,
  callback: URL,
  verifier: string,
  dpop?: DPoP,
): Promise<LoginAnswer> {
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`the authorization failed: ${callback.searchParams.get('error')}`);
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: server.redirectUri,
    code_verifier: verifier,
  });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.method === 'client_secret_basic') {
    const encode = (text: string): string => encodeURIComponent(text).replace(/%20/g, '+');
    const credentials = `${encode(client.clientId)}:${encode(client.clientSecret ?? '')}`;
    headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  } else {
    form.set('client_id', client.clientId);
    if (client.clientSecret) form.set('client_secret', client.clientSecret);
  }
  const post = async (): Promise<Response> => {
    if (dpop) headers['dpop'] = await dpop.proof('POST', server.tokenUrl);
    const answer = await fetch(server.tokenUrl, { method: 'POST', headers, body: form.toString() });
    dpop?.observeNonce(server.tokenUrl, answer);
    return answer;
  };
  let response = await post();
  // The server requires a nonce it has not told us yet: the first answer carries it.
  if (dpop && response.status === 400 && response.headers.has('dpop-nonce')) response = await post();
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok || typeof body['access_token'] !== 'string')
    throw new Error(`the code exchange failed: ${String(body['error'])}`);
  return {
    body,
    tokens: {
      accessToken: body['access_token'],
      ...(typeof body['refresh_token'] === 'string' ? { refreshToken: body['refresh_token'] } : {}),
      ...(typeof body['expires_in'] === 'number' ? { expiresAt: Date.now() + body['expires_in'] * 1000 } : {}),
    },
  };
}
