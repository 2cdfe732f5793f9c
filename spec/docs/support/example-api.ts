import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestAuthServer } from '../../../lib/testing/index';

/** One request as the example API received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly status: number;
}

/**
 * The `https://api.example.com` of the README's and getting-started's examples, on loopback: the
 * routes they call, answering what their comments promise. Tokens are the loopback token server's
 * (`rxjs-auth-http/testing`'s): it issues, rotates and expires them, and this API asks it whether a token is
 * good. A request with a token that is not good gets a 401, as real APIs answer; without a token,
 * only `/v1/users` (the examples' public collection) answers.
 */
export class ExampleApi {
  readonly received: ReceivedRequest[] = [];
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  private constructor(private readonly tokens: TestAuthServer) {}

  static async start(tokens: TestAuthServer): Promise<ExampleApi> {
    const api = new ExampleApi(tokens);
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this.url);
      const text = Buffer.concat(chunks).toString('utf8');
      const { status, body, headers } = this.answer(req, url, text);
      this.received.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: text,
        status,
      });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    });
  }

  private answer(
    req: IncomingMessage,
    url: URL,
    text: string,
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    if (req.method === 'POST' && url.pathname === '/login') {
      const issued = this.tokens.issueTokens();
      const expiresIn = Math.round((issued.expiresAt - Date.now()) / 1000);
      return {
        status: 200,
        body: { access_token: issued.accessToken, refresh_token: issued.refreshToken, expires_in: expiresIn },
      };
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const publicRoute = url.pathname.startsWith('/v1/users');
    if (token === undefined ? !publicRoute : !this.tokens.accepts(token)) {
      return { status: 401, body: { error: 'invalid_token' }, headers: { 'www-authenticate': 'Bearer' } };
    }
    const item = /^(?:\/v1)?\/(orders|users)\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && url.pathname === '/me') return { status: 200, body: { name: 'Ada' } };
    if (req.method === 'GET' && item?.[1] === 'orders') {
      return { status: 200, body: { id: Number(item[2]), total: Number(item[2]) * 10 } };
    }
    if (req.method === 'GET' && item?.[1] === 'users') {
      return { status: 200, body: { id: Number(item[2]), name: 'Ada' }, headers: { etag: `"user-${item[2]}"` } };
    }
    if (req.method === 'GET' && url.pathname === '/v1/users') {
      return {
        status: 200,
        body: [
          { id: 1, name: 'Ada' },
          { id: 2, name: 'Grace' },
        ],
      };
    }
    if (req.method === 'POST' && url.pathname === '/v1/users') {
      return { status: 201, body: { id: 7, ...(JSON.parse(text) as { name: string }) } };
    }
    return { status: 404, body: { error: 'not_found' } };
  }
}
