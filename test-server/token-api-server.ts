import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the token endpoint misbehaves, when asked to. */
export type TokenEndpointFault =
  | 'none'
  | 'status-500'
  | 'invalid-grant' // 400 {"error":"invalid_grant"}: the refresh token is dead
  | 'unauthorized' // 401 from the token endpoint
  | 'garbage' // 200 with a body that is not JSON
  | 'no-access-token' // 200 JSON without access_token
  | 'reset' // the connection is destroyed mid-response
  | 'hang'; // never answers

/** Tokens as the server issued them. */
export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt: number;
}

export interface TokenApiServerOptions {
  /** Lifetime of access tokens; default 60 s. */
  accessTokenTtlMs?: number;
  /** Issue unsigned JWTs with an `exp` claim instead of opaque tokens. */
  jwt?: boolean;
  /** Port to listen on; default a random free one. */
  port?: number;
}

/** What the echo route answers: the request as the server received it. */
export interface Echo {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string | null;
  readonly body: string;
  readonly bodyBase64: string;
  readonly bodyLength: number;
}

/** What the server has seen; read by specs, the demo and the benchmarks. */
export interface ServerStats {
  requests: number;
  apiRequests: number;
  unauthorized: number;
  refreshCalls: number;
  refreshTokenReuse: number;
  /** Spent refresh tokens honoured because they came back within `tokenEndpoint.reuseGraceMs`. */
  graceReuse: number;
  aborted: number;
  preflights: number;
  /** Every Authorization header or access_token parameter an /api request carried, in order. */
  tokensSeen: string[];
  lastTokenRequest: { headers: http.IncomingHttpHeaders; body: string } | null;
}

/**
 * A loopback token server and API for specs, the demo and the benchmarks. It issues and rotates
 * tokens (a reused refresh token counts as reuse and is refused), expires them on demand, answers
 * 401 to stale tokens, counts everything, and can be slowed or broken.
 *
 * Routes: POST /oauth/token (refresh_token grant), POST /login, /api/* (token required),
 * /public/* (no token). Under both: echo, slow?ms=, trickle?bytes=&everyMs=, status/<code>, text,
 * bytes?n=, sized?bytes= (one fixed JSON document of about that size), drop, redirect?to=&status=,
 * flaky?key=&fail=&status=&retryAfter= (fails the first hits of each key, then echoes).
 * Every response allows CORS and exposes its headers.
 */
export class TokenApiServer {
  readonly stats: ServerStats = emptyStats();
  /**
   * How the token endpoint behaves; change it at any time. `reuseGraceMs`: a spent refresh token
   * presented again this soon after its rotation is honoured, not counted as reuse (the grace
   * period real servers offer for a client that died before it stored the answer).
   */
  tokenEndpoint: { fault: TokenEndpointFault; delayMs: number; rotate: boolean; reuseGraceMs: number } = {
    fault: 'none',
    delayMs: 0,
    rotate: true,
    reuseGraceMs: 0,
  };
  /** How often each `flaky?key=` route was hit. */
  readonly flakyHits = new Map<string, number>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly accessTokens = new Map<string, number>(); // token -> expiresAt
  private readonly liveRefreshTokens = new Set<string>();
  private readonly usedRefreshTokens = new Map<string, number>(); // token -> when it was rotated
  private serial = 0;
  private afterEvent: Array<() => void> = [];

  private constructor(private readonly options: Required<Omit<TokenApiServerOptions, 'port'>>) {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts a server on 127.0.0.1 (a random port unless one is given). */
  static async start(options: TokenApiServerOptions = {}): Promise<TokenApiServer> {
    const server = new TokenApiServer({
      accessTokenTtlMs: options.accessTokenTtlMs ?? 60_000,
      jwt: options.jwt ?? false,
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Issues a fresh pair, as a login would. */
  issueTokens(ttlMs = this.options.accessTokenTtlMs): IssuedTokens {
    const n = ++this.serial;
    const expiresAt = Date.now() + ttlMs;
    const accessToken = this.options.jwt
      ? unsignedJwt({ sub: 'user', n, exp: Math.floor(expiresAt / 1000) })
      : `at-${n}`;
    const refreshToken = `rt-${n}`;
    this.accessTokens.set(accessToken, expiresAt);
    this.liveRefreshTokens.add(refreshToken);
    return { accessToken, refreshToken, expiresAt };
  }

  /** Makes every access token issued so far invalid, as if they had all expired. */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** Whether the server would accept this access token now. */
  accepts(accessToken: string): boolean {
    const expiresAt = this.accessTokens.get(accessToken);
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  /** Resolves when the token endpoint has received `count` refresh calls in all. */
  refreshCalled(count = 1): Promise<void> {
    return this.until((stats) => stats.refreshCalls >= count);
  }

  /** Resolves when `predicate` holds; checked as each request arrives, finishes or is lost. */
  async until(predicate: (stats: ServerStats) => boolean): Promise<void> {
    while (!predicate(this.stats)) await new Promise<void>((resolve) => this.afterEvent.push(resolve));
  }

  resetStats(): void {
    Object.assign(this.stats, emptyStats());
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private notify(): void {
    const waiting = this.afterEvent;
    this.afterEvent = [];
    for (const resolve of waiting) resolve();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.stats.requests++;
    allowCors(req, res);
    if (req.method === 'OPTIONS') {
      this.stats.preflights++;
      res.writeHead(204).end();
      return;
    }
    let finished = false;
    res.on('finish', () => {
      finished = true;
      this.notify();
    });
    res.on('close', () => {
      if (!finished) {
        this.stats.aborted++;
        this.notify();
      }
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.route(req, res, Buffer.concat(chunks));
      this.notify();
    });
  }

  private route(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/oauth/token' && req.method === 'POST')
      return this.tokenGrant(req, res, body.toString('utf8'));
    if (url.pathname === '/login' && req.method === 'POST') return json(res, 200, this.tokenAnswer(this.issueTokens()));
    if (url.pathname.startsWith('/public/'))
      return this.api(req, res, url, body, url.pathname.slice('/public/'.length));
    if (url.pathname.startsWith('/api/')) {
      this.stats.apiRequests++;
      const token = bearerToken(req) ?? url.searchParams.get('access_token');
      this.stats.tokensSeen.push(token ?? '');
      if (token === null || !this.accepts(token)) {
        this.stats.unauthorized++;
        res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
        return json(res, 401, { error: 'invalid_token' });
      }
      return this.api(req, res, url, body, url.pathname.slice('/api/'.length));
    }
    json(res, 404, { error: 'not_found' });
  }

  private api(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, route: string): void {
    const query = url.searchParams;
    if (route.startsWith('status/'))
      return json(res, Number(route.slice('status/'.length)) || 500, { error: 'as_requested' });
    switch (route) {
      case 'slow':
        setTimeout(() => echo(req, res, url, body), Number(query.get('ms') ?? 1000));
        return;
      case 'trickle':
        return trickle(res, Number(query.get('bytes') ?? 100), Number(query.get('everyMs') ?? 100));
      case 'text':
        res.writeHead(200, { 'content-type': 'text/plain' }).end(query.get('body') ?? 'hello, not json');
        return;
      case 'bytes': {
        const bytes = Buffer.alloc(Number(query.get('n') ?? 16), 0).map((_, i) => i % 256);
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
        return;
      }
      case 'sized':
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(sizedJson(Math.min(Number(query.get('bytes') ?? 200) || 0, 1 << 20)));
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'flaky':
        return this.flaky(req, res, url, body);
      case 'redirect':
        // loop=1 redirects to itself forever.
        res
          .writeHead(Number(query.get('status') ?? 302), {
            location: query.has('loop') ? url.pathname + url.search : (query.get('to') ?? '/public/echo'),
          })
          .end();
        return;
      default:
        echo(req, res, url, body);
    }
  }

  // Fails the first `fail` hits (default 1) of each `key`, with `status` (default 503; `drop` cuts
  // the connection, `reset` cuts it mid-body) and an optional `retryAfter` header, then echoes: a transient fault.
  private flaky(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
    const query = url.searchParams;
    const key = query.get('key') ?? '';
    const hits = (this.flakyHits.get(key) ?? 0) + 1;
    this.flakyHits.set(key, hits);
    if (hits > Number(query.get('fail') ?? 1)) return echo(req, res, url, body);
    const status = query.get('status') ?? '503';
    if (status === 'drop') {
      req.socket.destroy();
      return;
    }
    if (status === 'reset') {
      // Headers and half a body, then the connection dies.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' }).write('{"partial":');
      setImmediate(() => req.socket.destroy());
      return;
    }
    const retryAfter = query.get('retryAfter');
    if (retryAfter !== null) res.setHeader('retry-after', retryAfter);
    json(res, Number(status), { error: 'flaky' });
  }

  private tokenGrant(req: IncomingMessage, res: ServerResponse, body: string): void {
    this.stats.refreshCalls++;
    this.stats.lastTokenRequest = { headers: req.headers, body };
    const answer = () => {
      if (this.dropAbandonedGrants && req.socket.destroyed) return; // the client left: nothing is committed
      this.answerGrant(req, res, new URLSearchParams(body));
    };
    if (this.tokenEndpoint.fault === 'hang') return;
    const delayed = () => (this.tokenEndpoint.delayMs > 0 ? setTimeout(answer, this.tokenEndpoint.delayMs) : answer());
    if (this.heldGrants) this.heldGrants.push(delayed);
    else delayed();
  }

  /**
   * Holds every token request until the returned function is called: lets a spec act while a
   * refresh is certainly in flight, without guessing at delays.
   */
  holdTokenEndpoint(): () => void {
    this.heldGrants = [];
    return () => {
      const held = this.heldGrants ?? [];
      this.heldGrants = null;
      for (const answer of held) answer();
    };
  }
  private heldGrants: Array<() => void> | null = null;

  /**
   * When true, a held or delayed token request whose client has gone by the time it is answered
   * (its tab closed) rotates nothing, as a server that commits a grant with its answer. When
   * false (the default), the grant is committed anyway and the refresh token is spent.
   */
  dropAbandonedGrants = false;

  private answerGrant(req: IncomingMessage, res: ServerResponse, form: URLSearchParams): void {
    switch (this.tokenEndpoint.fault) {
      case 'status-500':
        return json(res, 500, { error: 'server_error' });
      case 'invalid-grant':
        return json(res, 400, { error: 'invalid_grant', error_description: 'refresh token revoked' });
      case 'unauthorized':
        return json(res, 401, { error: 'invalid_client' });
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end('<html>oops</html>');
        return;
      case 'no-access-token':
        return json(res, 200, { token_type: 'Bearer', expires_in: 60 });
      case 'reset':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
        res.write('{"access_token":"');
        setImmediate(() => req.socket.destroy());
        return;
    }
    const presented = form.get('refresh_token') ?? '';
    if (form.get('grant_type') !== 'refresh_token' || !this.liveRefreshTokens.has(presented)) {
      const rotatedAt = this.usedRefreshTokens.get(presented);
      if (rotatedAt !== undefined && Date.now() - rotatedAt < this.tokenEndpoint.reuseGraceMs) {
        this.stats.graceReuse++;
        return json(res, 200, this.tokenAnswer(this.issueTokens()));
      }
      if (rotatedAt !== undefined) this.stats.refreshTokenReuse++;
      return json(res, 400, { error: 'invalid_grant' });
    }
    const fresh = this.issueTokens();
    if (this.tokenEndpoint.rotate) {
      this.liveRefreshTokens.delete(presented);
      this.usedRefreshTokens.set(presented, Date.now());
      json(res, 200, this.tokenAnswer(fresh));
    } else {
      this.liveRefreshTokens.delete(fresh.refreshToken);
      json(res, 200, { ...this.tokenAnswer(fresh), refresh_token: undefined });
    }
  }

  private tokenAnswer(tokens: IssuedTokens): Record<string, unknown> {
    return {
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken,
      token_type: 'Bearer',
      expires_in: Math.round((tokens.expiresAt - Date.now()) / 1000),
    };
  }
}

function emptyStats(): ServerStats {
  return {
    requests: 0,
    apiRequests: 0,
    unauthorized: 0,
    refreshCalls: 0,
    refreshTokenReuse: 0,
    graceReuse: 0,
    aborted: 0,
    preflights: 0,
    tokensSeen: [],
    lastTokenRequest: null,
  };
}

function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
}

function allowCors(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
  res.setHeader('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS');
  res.setHeader(
    'access-control-allow-headers',
    req.headers['access-control-request-headers'] ?? 'authorization, content-type',
  );
  res.setHeader(
    'access-control-expose-headers',
    'www-authenticate, x-request-id, content-type, content-length, retry-after',
  );
  res.setHeader('access-control-max-age', '600');
}

function echo(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
  json(res, 200, {
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    contentType: req.headers['content-type'] ?? null,
    body: body.toString('utf8'),
    bodyBase64: body.toString('base64'),
    bodyLength: body.length,
  });
}

// One document per size, built once: the benchmarks need the same answer, whatever headers a client sends.
const sizedDocuments = new Map<number, string>();
function sizedJson(bytes: number): string {
  let doc = sizedDocuments.get(bytes);
  if (doc === undefined) {
    const items = Array.from({ length: Math.max(0, Math.floor((bytes - 40) / 24)) }, (_, i) => ({
      id: i,
      name: `item-${String(i).padStart(4, '0')}`,
    }));
    doc = JSON.stringify({ ok: true, size: bytes, items });
    sizedDocuments.set(bytes, doc);
  }
  return doc;
}

function trickle(res: ServerResponse, bytes: number, everyMs: number): void {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(bytes) });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write('x');
    if (++sent === bytes) {
      clearInterval(timer);
      res.end();
    }
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function unsignedJwt(claims: Record<string, unknown>): string {
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.sig`;
}
