import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { allowCors, bearerToken, json } from './http-answers';
import type {
  TestAuthServer,
  TestAuthServerOptions,
  TestAuthServerSettings,
  TestAuthServerStats,
} from './test-auth-server';
import { TestAuthServerError } from './test-auth-server-error';
import { DEFAULT_SETTINGS, resolveSettings } from './test-auth-server-settings';
import { tokenAnswer } from './token-answer';
import { checkFault, FAULT_ANSWERS, type TokenFault } from './token-faults';
import { TokenLedger, type IssuedTokens } from './token-ledger';

const FAULTS: ReadonlyArray<TokenFault | 'reset' | 'hang'> = [
  ...(Object.keys(FAULT_ANSWERS) as TokenFault[]),
  'reset',
  'hang',
];
// Beyond this, setTimeout fires at once (with a warning) instead of never.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Starts a {@link TestAuthServer} on 127.0.0.1, on a free port unless `options.port` names one.
 * Rejects with {@link TestAuthServerError} `listen-failed` when it cannot listen, and with a
 * TypeError for a wrong option. Node only: it uses node:http, nothing outside Node itself.
 *
 * @example
 * ```ts
 * let server: TestAuthServer;
 * beforeEach(async () => (server = await startTestAuthServer()));
 * afterEach(() => server.close());
 * ```
 */
export async function startTestAuthServer(options: TestAuthServerOptions = {}): Promise<TestAuthServer> {
  const { port = 0, ...changes } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError('port must be a whole number 0-65535');
  const server = new LoopbackAuthServer(resolveSettings(changes, DEFAULT_SETTINGS));
  await server.listen(port);
  return server;
}

class LoopbackAuthServer implements TestAuthServer {
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ledger = new TokenLedger();
  // One object, changed in place: `stats` is a live view, and a bench's millions of requests copy nothing.
  private readonly counters: Counters = emptyStats();
  private fault: { kind: TokenFault | 'reset' | 'hang'; left: number } | null = null;
  private held: Array<() => void> | null = null;
  private waiting: Array<{ wake: () => void; fail: (error: Error) => void }> = [];
  private closed = false;
  private port = 0;

  constructor(private current: TestAuthServerSettings) {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (cause) =>
        reject(new TestAuthServerError('listen-failed', `cannot listen on 127.0.0.1:${port}`, { cause })),
      );
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get tokenUrl(): string {
    return `${this.url}/oauth/token`;
  }
  get revocationUrl(): string {
    return `${this.url}/oauth/revoke`;
  }
  get loginUrl(): string {
    return `${this.url}/login`;
  }
  get apiUrl(): string {
    return `${this.url}/api`;
  }
  get publicUrl(): string {
    return `${this.url}/public`;
  }
  get stats(): TestAuthServerStats {
    return this.counters;
  }
  get settings(): TestAuthServerSettings {
    return this.current;
  }

  issueTokens(options: { readonly accessTokenLifetimeMs?: number } = {}): IssuedTokens {
    const lifetime = options.accessTokenLifetimeMs ?? this.current.accessTokenLifetimeMs;
    if (typeof lifetime !== 'number' || !Number.isFinite(lifetime))
      throw new TypeError('accessTokenLifetimeMs must be a finite number of milliseconds');
    return this.ledger.issue(Date.now(), lifetime, this.current.jwt);
  }

  accepts(accessToken: string): boolean {
    return this.ledger.accepts(accessToken, Date.now());
  }

  expireAccessTokens(): void {
    this.ledger.expireAccessTokens();
  }

  expireRefreshTokens(): void {
    this.ledger.expireRefreshTokens();
  }

  failTokenRequests(fault: TokenFault | 'reset' | 'hang', options: { readonly times?: number } = {}): void {
    const times = options.times ?? Infinity;
    if (!(times === Infinity || (Number.isInteger(times) && times > 0)))
      throw new TypeError('times must be a whole number > 0, or Infinity');
    this.fault = { kind: checkFault(fault, FAULTS), left: times };
  }

  recoverTokenEndpoint(): void {
    this.fault = null;
    this.release();
  }

  holdTokenRequests(): () => void {
    this.held ??= [];
    return () => this.release();
  }

  configure(changes: Partial<TestAuthServerSettings>): void {
    this.current = resolveSettings(changes, this.current);
  }

  async until(predicate: (stats: TestAuthServerStats) => boolean): Promise<void> {
    while (!predicate(this.counters)) {
      if (this.closed)
        throw new TestAuthServerError('closed', 'the test server closed before the awaited condition held');
      await new Promise<void>((wake, fail) => this.waiting.push({ wake, fail }));
    }
  }

  untilTokenRequests(count = 1): Promise<void> {
    return this.until((stats) => stats.tokenRequests >= count);
  }

  resetStats(): void {
    Object.assign(this.counters, emptyStats());
    this.notify();
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.held = null;
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      const waiting = this.waiting;
      this.waiting = [];
      for (const { fail } of waiting)
        fail(new TestAuthServerError('closed', 'the test server closed before the awaited condition held'));
    }
    // Destroyed sockets, not a wait for idle ones: a test's leftover request must not hold close().
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const answer of held) answer();
  }

  private later(ms: number, run: () => void): void {
    if (ms <= 0) return run();
    if (ms > LONGEST_TIMER_MS) return; // "never": close() ends the connection
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private notify(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const { wake } of waiting) wake();
  }

  private count(name: Exclude<keyof Counters, 'tokensSeen' | 'lastTokenRequest'>): void {
    this.counters[name]++;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.count('requests');
    allowCors(req, res);
    if (req.method === 'OPTIONS') {
      this.count('preflights');
      res.writeHead(204).end();
      return;
    }
    res.on('close', () => {
      if (!res.writableFinished) this.count('aborted');
      this.notify();
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
    const post = req.method === 'POST';
    if (post && url.pathname === '/oauth/token') return this.tokenRequest(req, res, body.toString('utf8'));
    if (post && url.pathname === '/oauth/revoke') return this.revocation(res, body.toString('utf8'));
    if (post && url.pathname === '/login') return json(res, 200, this.answerWith(this.issueTokens(), true));
    if (url.pathname.startsWith('/api/')) {
      this.count('apiRequests');
      const token = bearerToken(req) ?? url.searchParams.get('access_token');
      if (this.current.recordTokensSeen) this.counters.tokensSeen.push(token ?? '');
      if (token === null || !this.accepts(token)) {
        this.count('unauthorized');
        // RFC 6750 section 3.1: no error code when the request carried no token at all.
        res.setHeader('www-authenticate', token === null ? 'Bearer realm="api"' : 'Bearer error="invalid_token"');
        return json(res, 401, { error: 'invalid_token' });
      }
      return this.answerApi(req, res, body);
    }
    if (url.pathname.startsWith('/public/')) return this.answerApi(req, res, body);
    json(res, 404, { error: 'not_found' });
  }

  private answerApi(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const failed = () => {
      this.count('handlerErrors');
      if (!res.headersSent) json(res, 500, { error: 'handler_failed' });
      else res.destroy();
    };
    try {
      const answered = this.current.handler(req, res, body);
      if (answered instanceof Promise) answered.catch(failed);
    } catch {
      failed();
    }
  }

  private tokenRequest(req: IncomingMessage, res: ServerResponse, body: string): void {
    this.count('tokenRequests');
    this.counters.lastTokenRequest = { headers: req.headers, body };
    const answer = () => {
      if (this.closed) return;
      // The client left: a server that commits a grant with its answer commits nothing.
      if (this.current.abandonedGrants === 'drop' && req.socket.destroyed) return;
      this.answerToken(req, res, new URLSearchParams(body));
    };
    const delayed = () => this.later(this.current.tokenDelayMs, answer);
    if (this.held) this.held.push(delayed);
    else delayed();
  }

  private answerToken(req: IncomingMessage, res: ServerResponse, form: URLSearchParams): void {
    const fault = this.takeFault();
    if (fault === 'hang') return;
    if (fault === 'reset') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' }).write('{"access_token":"');
      setImmediate(() => req.socket.destroy());
      return;
    }
    if (fault !== null) {
      const { status, body } = FAULT_ANSWERS[fault];
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      return;
    }
    if (form.get('grant_type') !== 'refresh_token') return json(res, 400, { error: 'unsupported_grant_type' });
    const presented = form.get('refresh_token');
    if (!presented) return json(res, 400, { error: 'invalid_request', error_description: 'no refresh_token' });
    const { rotateRefreshTokens: rotate, reuseGraceMs, accessTokenLifetimeMs, jwt } = this.current;
    const outcome = this.ledger.refresh(presented, Date.now(), { rotate, reuseGraceMs, accessTokenLifetimeMs, jwt });
    switch (outcome.kind) {
      case 'issued':
        return json(res, 200, this.answerWith(outcome.tokens, outcome.rotated));
      case 'grace':
        this.count('graceReuse');
        return json(res, 200, this.answerWith(outcome.tokens, true));
      case 'reused':
        this.count('refreshTokenReuse');
        return json(res, 400, FAULT_BODY_INVALID_GRANT);
      case 'unknown':
        return json(res, 400, FAULT_BODY_INVALID_GRANT);
    }
  }

  private takeFault(): TokenFault | 'reset' | 'hang' | null {
    if (this.fault === null) return null;
    const { kind } = this.fault;
    if (--this.fault.left <= 0) this.fault = null;
    return kind;
  }

  private revocation(res: ServerResponse, body: string): void {
    this.count('revocations');
    const token = new URLSearchParams(body).get('token');
    if (token === null) return json(res, 400, { error: 'invalid_request', error_description: 'no token' });
    this.ledger.revoke(token);
    res.writeHead(200).end(); // RFC 7009: 200 whether or not the token was known
  }

  private answerWith(tokens: IssuedTokens, withRefreshToken: boolean): Record<string, string | number> {
    return tokenAnswer({
      accessToken: tokens.accessToken,
      ...(withRefreshToken ? { refreshToken: tokens.refreshToken } : {}),
      expiresIn: Math.max(0, Math.round((tokens.expiresAt - Date.now()) / 1000)),
    });
  }
}

const FAULT_BODY_INVALID_GRANT: unknown = JSON.parse(FAULT_ANSWERS.invalid_grant.body);

type Counters = {
  -readonly [K in keyof TestAuthServerStats]: K extends 'tokensSeen' ? string[] : TestAuthServerStats[K];
};

function emptyStats(): Counters {
  return {
    requests: 0,
    preflights: 0,
    apiRequests: 0,
    unauthorized: 0,
    tokenRequests: 0,
    refreshTokenReuse: 0,
    graceReuse: 0,
    revocations: 0,
    aborted: 0,
    handlerErrors: 0,
    tokensSeen: [],
    lastTokenRequest: null,
  };
}
