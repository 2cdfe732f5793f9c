import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { TokenFault } from './token-faults';
import type { IssuedTokens } from './token-ledger';

/**
 * Answers the requests under `/api/` (once their access token passed) and `/public/` (no token
 * needed). It must end the response; it may be async. Call {@link echoRequest} for the rest.
 *
 * @example
 * ```ts
 * const orders: TestApiHandler = (req, res, body) => {
 *   if (req.method === 'GET' && req.url === '/api/orders') res.writeHead(200).end('[{"id":1}]');
 *   else echoRequest(req, res, body);
 * };
 * ```
 */
export type TestApiHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

/**
 * How the test server behaves; every field may change between two requests with
 * {@link TestAuthServer.configure}.
 *
 * @example
 * ```ts
 * const settings: Partial<TestAuthServerSettings> = { reuseGraceMs: 2_000, tokenDelayMs: 50 };
 * ```
 */
export interface TestAuthServerSettings {
  /** How long an access token is accepted; default 3 600 000 (an hour: tokens expire when the test says). */
  readonly accessTokenLifetimeMs: number;
  /** Issue a new refresh token with every refresh and spend the one presented; default true. */
  readonly rotateRefreshTokens: boolean;
  /**
   * A spent refresh token presented again this soon after its rotation is honoured (counted in
   * `graceReuse`), as servers with a reuse interval do; later, it is reuse. Default 0.
   */
  readonly reuseGraceMs: number;
  /** Every token request is answered this much later; default 0. `Infinity`: never. */
  readonly tokenDelayMs: number;
  /**
   * A delayed or held token request whose client left before the answer: `'commit'` (the
   * default) spends its refresh token anyway, as most servers do; `'drop'` commits nothing.
   */
  readonly abandonedGrants: 'commit' | 'drop';
  /** Issue unsigned JWTs carrying `exp` instead of opaque tokens; default false. */
  readonly jwt: boolean;
  /** Keep `stats.tokensSeen`; default true. False for load and soak tests: it grows with every request. */
  readonly recordTokensSeen: boolean;
  /** What answers `/api/` and `/public/`; default {@link echoRequest}. */
  readonly handler: TestApiHandler;
}

/**
 * The settings to start with, and the port (default 0: a free one, chosen by the system).
 *
 * @example
 * ```ts
 * const server = await startTestAuthServer({ accessTokenLifetimeMs: 5_000, jwt: true });
 * ```
 */
export interface TestAuthServerOptions extends Partial<TestAuthServerSettings> {
  /** The port on 127.0.0.1; default 0, a free one. */
  readonly port?: number;
}

/**
 * The token request the server received last, for a test that checks what the app sent.
 *
 * @example
 * ```ts
 * const sent = server.stats.lastTokenRequest;
 * assert.equal(new URLSearchParams(sent?.body).get('grant_type'), 'refresh_token');
 * ```
 */
export interface ReceivedTokenRequest {
  /** Its headers, names in lower case: `authorization` for a confidential client, `dpop`... */
  readonly headers: IncomingHttpHeaders;
  /** The form, as sent (`application/x-www-form-urlencoded`). */
  readonly body: string;
}

/**
 * What the server has seen since it started or since {@link TestAuthServer.resetStats}.
 *
 * @example
 * ```ts
 * assert.equal(server.stats.tokenRequests, 1);
 * assert.equal(server.stats.refreshTokenReuse, 0);
 * ```
 */
export interface TestAuthServerStats {
  /** Every request, CORS preflights included. */
  readonly requests: number;
  /** CORS preflights (`OPTIONS`): a browser sends one before a cross-origin request with a token. */
  readonly preflights: number;
  /** Requests under `/api/`. */
  readonly apiRequests: number;
  /** `/api/` requests answered 401: no token, or one the server does not accept. */
  readonly unauthorized: number;
  /** Requests to the token endpoint, answered or not. */
  readonly tokenRequests: number;
  /** Spent refresh tokens presented after the grace period: each revoked its family. */
  readonly refreshTokenReuse: number;
  /** Spent refresh tokens honoured within `reuseGraceMs`. */
  readonly graceReuse: number;
  /** Requests to the revocation endpoint. */
  readonly revocations: number;
  /** Requests whose client went away before the answer was sent. */
  readonly aborted: number;
  /** Requests the `handler` failed (threw or rejected): answered 500. */
  readonly handlerErrors: number;
  /** The access token of every `/api/` request, in order: `''` for none (unless `recordTokensSeen` is off). */
  readonly tokensSeen: readonly string[];
  /** The last request to the token endpoint, or null. */
  readonly lastTokenRequest: ReceivedTokenRequest | null;
}

/**
 * An OAuth 2.0 token endpoint and an API that checks its tokens, on 127.0.0.1, for integration
 * tests in Node. Routes: `POST /oauth/token` (the `refresh_token` grant), `POST /oauth/revoke`
 * (RFC 7009), `POST /login` (a fresh pair, no credentials checked), `/api/*` (a valid access
 * token in `Authorization: Bearer` or the `access_token` query parameter, else 401) and
 * `/public/*` (no token). Every answer allows CORS, so a page in a browser can use it too.
 *
 * @example
 * ```ts
 * const server = await startTestAuthServer();
 * const store = new MemoryTokenStore(server.issueTokens());
 * const client = createHttpClient({
 *   baseUrl: server.apiUrl,
 *   auth: { store, refresh: oauth2Refresh({ tokenUrl: server.tokenUrl }) },
 * });
 * server.expireAccessTokens();
 * await lastValueFrom(forkJoin([client.get('/a'), client.get('/b'), client.get('/c')]));
 * assert.equal(server.stats.tokenRequests, 1);
 * await server.close();
 * ```
 */
export interface TestAuthServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `<url>/oauth/token` */
  readonly tokenUrl: string;
  /** `<url>/oauth/revoke` */
  readonly revocationUrl: string;
  /** `<url>/login` */
  readonly loginUrl: string;
  /** `<url>/api`: requests under it need a valid access token. */
  readonly apiUrl: string;
  /** `<url>/public`: requests under it need none. */
  readonly publicUrl: string;
  /** The counters, live. */
  readonly stats: TestAuthServerStats;
  /** The settings in force. */
  readonly settings: TestAuthServerSettings;

  /** A fresh pair in a session of its own, as a sign-in gives; a negative lifetime gives an expired one. */
  issueTokens(options?: { readonly accessTokenLifetimeMs?: number }): IssuedTokens;
  /** Whether the API would accept this access token now. */
  accepts(accessToken: string): boolean;
  /** Every access token issued so far stops being accepted: the next API call gets a 401. */
  expireAccessTokens(): void;
  /** Every refresh token issued so far stops working: the next refresh gets `invalid_grant`. */
  expireRefreshTokens(): void;
  /**
   * Token requests fail from now on (held and delayed ones included), `times` of them (default:
   * until {@link TestAuthServer.recoverTokenEndpoint}). Besides the {@link TokenFault}s: `'reset'`
   * (the connection dies mid-answer) and `'hang'` (no answer until the server closes).
   */
  failTokenRequests(fault: TokenFault | 'reset' | 'hang', options?: { readonly times?: number }): void;
  /** Ends a fault and answers every held token request. */
  recoverTokenEndpoint(): void;
  /**
   * Holds every token request until the returned function is called: a test acts while a
   * refresh is certainly in flight, without guessing at delays.
   */
  holdTokenRequests(): () => void;
  /** Changes settings from the next request on; throws a TypeError for a wrong value. */
  configure(changes: Partial<TestAuthServerSettings>): void;
  /**
   * Resolves when `predicate` holds, checked as each request arrives, is answered or is lost.
   * Rejects with {@link TestAuthServerError} `closed` if the server closes first.
   */
  until(predicate: (stats: TestAuthServerStats) => boolean): Promise<void>;
  /** Resolves once the token endpoint has received `count` requests in all. */
  untilTokenRequests(count?: number): Promise<void>;
  /** Sets every counter back to zero; the tokens stay as they are. */
  resetStats(): void;
  /** Ends every connection and stops listening; never waits on a client. Safe to call twice. */
  close(): Promise<void>;
}
