import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dpopResource, type DPoPResource } from './dpop-resource';

/** The three ways a client authenticates at the token endpoint, by their RFC 7591 names. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** A client registered at the server; `clientSecret` is absent for the public one. */
export interface RegisteredClient {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly method: ClientAuthMethod;
}

/** What the server did, counted from its own events (not from what our client believes). */
export interface OidcServerStats {
  /** Successful token endpoint answers, by grant type. */
  readonly grants: Record<string, number>;
  /** Token endpoint errors by their `error` code. */
  readonly grantErrors: Record<string, number>;
  /** Refresh tokens presented after they had been rotated: the server revoked the grant each time. */
  refreshTokenReuse: number;
  /** Grants the server revoked: on refresh-token reuse, or at the revocation endpoint. */
  grantsRevoked: number;
}

/** A running oidc-provider on loopback with an API route that checks access tokens against it. */
export interface OidcServer {
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly revocationUrl: string;
  /** An API route: 200 with the token's subject for a live access token, else 401. */
  readonly apiUrl: string;
  readonly redirectUri: string;
  readonly clients: Readonly<Record<ClientAuthMethod, RegisteredClient>>;
  readonly stats: OidcServerStats;
  /** API answers by status, and every access token it accepted. */
  readonly api: { ok: number; unauthorized: number; readonly accepted: Set<string> };
  /** With `dpop`: the API route is a resource server that requires DPoP proofs and nonces. */
  readonly dpopApi: DPoPResource | null;
  /**
   * Holds API requests to `apiUrl?held` until the returned function is called: they have reached
   * the server, and their answer comes when the spec says.
   */
  holdApi(): () => void;
  /** Ends an opaque access token at the server before its time, as an expiry would. */
  expireAccessToken(accessToken: string): Promise<void>;
  /** Whether the server still honours `refreshToken`. */
  isRefreshTokenLive(refreshToken: string): Promise<boolean>;
  /** Revokes every token of the grant behind `refreshToken`, as an admin would. */
  revokeGrantOf(refreshToken: string): Promise<void>;
  close(): Promise<void>;
}

export interface OidcServerOptions {
  /** Access-token lifetime in whole seconds (the server counts in seconds). */
  readonly accessTokenTtl: number;
  /** `jwt` issues signed JWT access tokens for the API resource; default opaque. */
  readonly accessTokenFormat?: 'opaque' | 'jwt';
  /** DPoP (RFC 9449) with nonces required at the token endpoint and at the API. */
  readonly dpop?: boolean;
}

/**
 * Starts oidc-provider (a certified OpenID provider) with refresh-token rotation always on, the
 * given access-token lifetime and one client per authentication method.
 */
export async function startOidcServer(options: OidcServerOptions): Promise<OidcServer> {
  // oidc-provider is ESM-only. `module: nodenext` keeps this import() a real dynamic import in our
  // CommonJS specs (it is not rewritten to require()), so no loader trick is needed.
  const { default: Provider } = await import('oidc-provider');
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = origin;
  // With DPoP the API is an origin of its own, as resource servers are: nonces are per origin.
  const apiServer = options.dpop ? http.createServer() : null;
  if (apiServer) await new Promise<void>((resolve) => apiServer.listen(0, '127.0.0.1', resolve));
  const apiUrl = `${apiServer ? `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}` : origin}/api/me`;
  const redirectUri = `${origin}/callback`;
  const jwt = options.accessTokenFormat === 'jwt';

  const secret = (): string => randomBytes(24).toString('base64url');
  const clients: Record<ClientAuthMethod, RegisteredClient> = {
    client_secret_basic: { clientId: 'basic-client', clientSecret: `${secret()}+:/ ~`, method: 'client_secret_basic' },
    client_secret_post: { clientId: 'post-client', clientSecret: secret(), method: 'client_secret_post' },
    none: { clientId: 'public-client', method: 'none' },
  };
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  const provider = new Provider(issuer, {
    clients: Object.values(clients).map((client) => ({
      client_id: client.clientId,
      ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
      token_endpoint_auth_method: client.method,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [redirectUri],
    })),
    jwks: { keys: [{ ...signingKey, kid: 'spec', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [secret()] },
    pkce: { required: () => true },
    // Rotation on every refresh, so a reused refresh token is detected and revokes the grant.
    rotateRefreshToken: true,
    issueRefreshToken: () => Promise.resolve(true),
    ttl: {
      AccessToken: options.accessTokenTtl,
      IdToken: 3600,
      RefreshToken: 3600,
      Grant: 3600,
      Session: 3600,
      Interaction: 600,
    },
    features: {
      dPoP: options.dpop
        ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }
        : { enabled: false },
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: jwt,
        defaultResource: () => apiUrl,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'openid',
          accessTokenFormat: 'jwt',
          accessTokenTTL: options.accessTokenTtl,
        }),
      },
    },
  });

  const stats: OidcServerStats = { grants: {}, grantErrors: {}, refreshTokenReuse: 0, grantsRevoked: 0 };
  const api = { ok: 0, unauthorized: 0, accepted: new Set<string>() };
  let held: Promise<void> = Promise.resolve();
  provider.on('grant.success', (ctx) => {
    const type = String(ctx.oidc.params?.['grant_type']);
    stats.grants[type] = (stats.grants[type] ?? 0) + 1;
  });
  provider.on('grant.error', (_ctx, error) => {
    const { error: code, error_detail: detail } = error as unknown as { error: string; error_detail?: string };
    stats.grantErrors[code] = (stats.grantErrors[code] ?? 0) + 1;
    if (detail === 'refresh token already used') stats.refreshTokenReuse++;
  });
  provider.on('grant.revoked', () => {
    stats.grantsRevoked++;
  });

  const dpopApi = options.dpop
    ? dpopResource(async (token) => {
        const found = await provider.AccessToken.find(token);
        return found?.accountId === undefined ? undefined : { subject: found.accountId, jkt: found.jkt };
      })
    : null;
  const apiOrigin = new URL(apiUrl).origin;
  apiServer?.on('request', (req, res) => {
    // /redirect/<status>?to=<Location>: a redirect, answered before any proof is checked.
    const redirect = /^\/redirect\/(\d{3})\?to=(.*)$/.exec(req.url ?? '');
    if (redirect) {
      res.writeHead(Number(redirect[1]), { location: decodeURIComponent(redirect[2]!) }).end();
      return;
    }
    void dpopApi?.answer(req, res, apiOrigin);
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url === '/api/me') return void answerApi(req, res);
    if (req.url === '/api/me?held') return void held.then(() => answerApi(req, res));
    void callback(req, res);
  });

  // The API asks the provider itself whether a token is live, as a resource server would.
  async function answerApi(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const subject = token ? await liveSubject(token) : undefined;
    if (token === undefined || subject === undefined) {
      api.unauthorized++;
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      return;
    }
    api.ok++;
    api.accepted.add(token);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: subject }));
  }

  async function liveSubject(token: string): Promise<string | undefined> {
    if (!jwt) return (await provider.AccessToken.find(token))?.accountId;
    const [, payload] = token.split('.');
    if (!payload) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub?: string; exp?: number };
    // The server signed it itself and keeps no copy of a JWT: what an API can check is its expiry.
    return claims.exp !== undefined && claims.exp * 1000 > Date.now() ? claims.sub : undefined;
  }

  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    revocationUrl: `${issuer}/token/revocation`,
    apiUrl,
    redirectUri,
    clients,
    stats,
    api,
    dpopApi,
    holdApi: () => {
      let release = (): void => undefined;
      held = new Promise<void>((resolve) => (release = resolve));
      return () => release();
    },
    expireAccessToken: async (accessToken) => {
      const found = await provider.AccessToken.find(accessToken);
      if (!found) throw new Error('no such access token');
      await found.destroy();
    },
    isRefreshTokenLive: async (refreshToken) => {
      const found = await provider.RefreshToken.find(refreshToken);
      return found !== undefined && !found.isExpired && !found.consumed;
    },
    async revokeGrantOf(refreshToken) {
      const found = await provider.RefreshToken.find(refreshToken);
      if (!found?.grantId) throw new Error('no such refresh token');
      await Promise.all([
        provider.AccessToken.revokeByGrantId(found.grantId),
        provider.RefreshToken.revokeByGrantId(found.grantId),
      ]);
    },
    close: async () => {
      await Promise.all(
        [server, apiServer].map(
          (closing) =>
            new Promise<void>((resolve) => {
              if (!closing) return resolve();
              closing.closeAllConnections();
              closing.close(() => resolve());
            }),
        ),
      );
    },
  };
}
