import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One call to /api/*, as the API saw it. */
export interface ApiCall {
  readonly path: string;
  /** The user the access token belongs to; null for a missing, expired or unknown token (a 401). */
  readonly user: string | null;
  readonly status: number;
  /** Who sent it: Chromium (hydration) or Node (the server-side render). */
  readonly from: 'browser' | 'server';
}

/** One call to the token endpoint. */
export interface RefreshCall {
  readonly refreshToken: string;
  /** `rotated`: a live refresh token, spent now; `reused`: one spent before; `unknown`: never issued. */
  readonly outcome: 'rotated' | 'reused' | 'unknown';
}

/** A token pair of one user's session. */
export interface SessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

/**
 * A loopback API with users: access tokens name their user, refresh tokens rotate (a spent one is
 * refused as reuse), /api/profile and /api/orders answer with the token's user's own data, and
 * every call is recorded. CORS is open, so the hydrated page in Chromium can call it too.
 */
export class TwoUserApiServer {
  readonly apiCalls: ApiCall[] = [];
  readonly refreshCalls: RefreshCall[] = [];
  private readonly liveAccess = new Map<string, string>(); // token -> user
  private readonly liveRefresh = new Map<string, string>();
  private readonly spentRefresh = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private readonly sockets = new Set<Socket>();
  private serial = 0;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString()));
  });

  private constructor() {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<TwoUserApiServer> {
    const api = new TwoUserApiServer();
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(0, '127.0.0.1', resolve);
    });
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A session of `user` whose access token has already expired: its first API call gets a 401. */
  expiredSession(user: string): SessionTokens {
    const n = ++this.serial;
    const refreshToken = `rt-${user}-${n}`;
    this.liveRefresh.set(refreshToken, user);
    return { accessToken: `at-${user}-${n}-expired`, refreshToken };
  }

  /** The user a live access or refresh token belongs to, or null. */
  userOf(token: string): string | null {
    return this.liveAccess.get(token) ?? this.liveRefresh.get(token) ?? null;
  }

  /** Resolves once `count` API calls match `test`: specs wait on events, never on time. */
  async waitForCalls(count: number, test: (call: ApiCall) => boolean): Promise<void> {
    const enough = (): boolean => this.apiCalls.filter(test).length >= count;
    while (!enough()) await new Promise<void>((resolve) => this.listeners.add(resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'authorization, content-type');
    const path = new URL(req.url ?? '/', 'http://api').pathname;
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.method === 'POST' && path === '/oauth/token') return this.token(res, new URLSearchParams(body));
    if (req.method === 'GET' && path.startsWith('/api/')) return this.api(req, res, path);
    res.writeHead(404).end();
  }

  private token(res: ServerResponse, form: URLSearchParams): void {
    const refreshToken = form.get('refresh_token') ?? '';
    const user = form.get('grant_type') === 'refresh_token' ? this.liveRefresh.get(refreshToken) : undefined;
    const outcome = user !== undefined ? 'rotated' : this.spentRefresh.has(refreshToken) ? 'reused' : 'unknown';
    this.refreshCalls.push({ refreshToken, outcome });
    if (user === undefined) return json(res, 400, { error: 'invalid_grant' });
    this.liveRefresh.delete(refreshToken);
    this.spentRefresh.add(refreshToken);
    const n = ++this.serial;
    const fresh = { accessToken: `at-${user}-${n}`, refreshToken: `rt-${user}-${n}` };
    this.liveAccess.set(fresh.accessToken, user);
    this.liveRefresh.set(fresh.refreshToken, user);
    json(res, 200, {
      access_token: fresh.accessToken,
      refresh_token: fresh.refreshToken,
      token_type: 'Bearer',
      expires_in: 300,
    });
  }

  private api(req: IncomingMessage, res: ServerResponse, path: string): void {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const user = this.liveAccess.get(token) ?? null;
    const from = /Chrome/.test(req.headers['user-agent'] ?? '') ? 'browser' : 'server';
    const answer =
      user === null
        ? undefined
        : path === '/api/profile'
          ? { user }
          : path === '/api/orders'
            ? [1, 2].map((i) => ({ id: `${user}-order-${i}` }))
            : undefined;
    const status = user === null ? 401 : answer === undefined ? 404 : 200;
    this.apiCalls.push({ path, user, status, from });
    json(res, status, answer ?? { error: status === 401 ? 'invalid_token' : 'not_found' });
    for (const listener of this.listeners) listener();
    this.listeners.clear();
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
