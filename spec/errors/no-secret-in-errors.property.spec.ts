import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { lastValueFrom, type Observable } from 'rxjs';
import {
  AuthRefreshError,
  createHttpClient,
  HttpError,
  InvalidRequestError,
  NetworkError,
  oauth2Refresh,
  RequestTimeoutError,
  ResponseParseError,
  TokenStoreError,
  type AuthOptions,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequestInit,
  type HttpTransport,
  type TokenStore,
} from '../../lib';
import { nodeHttpTransport } from '../../lib/node';

// The property of issue 11: whatever fails, on either Node transport, and wherever the token
// travels, no error shows it, in any of the four ways errors get printed, causes included.
const ACCESS = 'acc3ss-S3CRET-tok3n';
const REFRESH = 'r3fresh-S3CRET-tok3n';
const ROTATED = 'rotat3d-S3CRET-tok3n';
const SECRETS = [ACCESS, REFRESH, ROTATED];

type Placement = 'header' | 'query';

interface Case {
  readonly name: string;
  readonly expected: new (...args: never[]) => Error;
  /** Fails one request that carries ACCESS where `placement` says (or has the auth layer put it there). */
  readonly fail: (world: World, placement: Placement) => Observable<unknown>;
}

interface World {
  readonly baseUrl: string;
  readonly closedUrl: string;
  /** An https URL whose server accepts TCP and never answers the TLS handshake. */
  readonly silentTlsUrl: string;
  readonly client: (options?: HttpClientOptions) => HttpClient;
}

// The token put on a request by the caller: as a Bearer header, or as an access_token parameter.
const carry = (placement: Placement, path: string): { url: string; headers: Record<string, string> } =>
  placement === 'header'
    ? { url: path, headers: { authorization: `Bearer ${ACCESS}` } }
    : { url: `${path}${path.includes('?') ? '&' : '?'}access_token=${ACCESS}`, headers: {} };

// A client whose auth layer puts the token where `placement` says.
function authed(world: World, placement: Placement, auth: Partial<AuthOptions>): HttpClient {
  return world.client({
    baseUrl: world.baseUrl,
    auth: {
      store: auth.store ?? storeOf({ accessToken: ACCESS, refreshToken: REFRESH }),
      refresh:
        auth.refresh ??
        oauth2Refresh({ tokenUrl: `${world.baseUrl}/oauth/token?fault=invalid_grant`, clientId: 'app' }),
      tokenPlacement:
        placement === 'header' ? { header: 'Authorization', scheme: 'Bearer' } : { queryParam: 'access_token' },
      ...auth,
    },
  });
}

// A request carrying the token as the caller put it, from a client with `baseUrl` (or with none).
function carried(
  world: World,
  placement: Placement,
  path: string,
  init: Partial<HttpRequestInit> = {},
  baseUrl: string | null = world.baseUrl,
) {
  const { url, headers } = carry(placement, path);
  return world
    .client(baseUrl === null ? {} : { baseUrl })
    .request({ ...init, url, headers: { ...headers, ...init.headers } });
}

const cases: readonly Case[] = [
  {
    name: 'HttpError (the server echoes the token in set-cookie)',
    expected: HttpError,
    fail: (w, p) => carried(w, p, '/status/500'),
  },
  {
    name: 'NetworkError (connection refused)',
    expected: NetworkError,
    fail: (w, p) => carried(w, p, `${w.closedUrl}/x`, {}, null),
  },
  { name: 'NetworkError (connection dropped)', expected: NetworkError, fail: (w, p) => carried(w, p, '/drop') },
  {
    name: 'RequestTimeoutError',
    expected: RequestTimeoutError,
    fail: (w, p) => carried(w, p, '/hang', { timeout: 50 }),
  },
  {
    name: 'RequestTimeoutError (connect phase)',
    expected: RequestTimeoutError,
    fail: (w, p) => {
      const { url, headers } = carry(p, `${w.silentTlsUrl}/x`);
      return w.client({ connectTimeout: 50 }).get(url, { headers });
    },
  },
  { name: 'ResponseParseError', expected: ResponseParseError, fail: (w, p) => carried(w, p, '/text') },
  {
    name: 'InvalidRequestError (a relative URL and no baseUrl)',
    expected: InvalidRequestError,
    fail: (w, p) => carried(w, p, '/x', {}, null),
  },
  {
    name: "InvalidRequestError (a malformed absolute URL: Node's error keeps it in cause.input)",
    expected: InvalidRequestError,
    fail: (w, p) => carried(w, p, 'http://exa mple.test/x', {}, null),
  },
  {
    name: 'InvalidRequestError (a header value Node refuses)',
    expected: InvalidRequestError,
    fail: (w, p) => carried(w, p, '/echo', { headers: { 'x-bad': 'a\nb' } }),
  },
  {
    name: 'InvalidRequestError (a header only the transport may set)',
    expected: InvalidRequestError,
    fail: (w, p) => carried(w, p, '/echo', { headers: { Host: 'elsewhere.test' } }),
  },
  {
    name: 'InvalidRequestError (a body JSON cannot encode)',
    expected: InvalidRequestError,
    fail: (w, p) => carried(w, p, '/echo', { method: 'POST', body: { n: 1n } }),
  },
  {
    name: 'AuthRefreshError (the token endpoint rejects the refresh token)',
    expected: AuthRefreshError,
    fail: (world, placement) => authed(world, placement, {}).get('/api/me'),
  },
  {
    name: 'AuthRefreshError (the token endpoint fails)',
    expected: AuthRefreshError,
    fail: (world, placement) =>
      authed(world, placement, {
        refresh: oauth2Refresh({ tokenUrl: `${world.baseUrl}/oauth/token?fault=500`, clientId: 'app' }),
      }).get('/api/me'),
  },
  {
    name: 'AuthRefreshError (the refresh times out)',
    expected: AuthRefreshError,
    fail: (world, placement) =>
      authed(world, placement, {
        refreshTimeout: 50,
        refresh: oauth2Refresh({ tokenUrl: `${world.baseUrl}/hang`, clientId: 'app' }),
      }).get('/api/me'),
  },
  {
    name: 'TokenStoreError (the store cannot be read)',
    expected: TokenStoreError,
    fail: (world, placement) =>
      authed(world, placement, {
        store: { get: () => Promise.reject(new Error('store offline')), set: () => undefined, clear: () => undefined },
      }).get('/api/me'),
  },
  {
    name: 'AuthRefreshError caused by a TokenStoreError (the rotated tokens cannot be saved)',
    expected: AuthRefreshError,
    fail: (world, placement) =>
      authed(world, placement, {
        store: {
          ...storeOf({ accessToken: ACCESS, refreshToken: REFRESH }),
          set: () => Promise.reject(new Error('disk full')),
        },
        refresh: oauth2Refresh({ tokenUrl: `${world.baseUrl}/oauth/token`, clientId: 'app' }),
      }).get('/api/me'),
  },
];

const transports: ReadonlyArray<readonly [string, () => HttpTransport | undefined]> = [
  ['rxjs/ajax over xhr2', () => undefined],
  ['node:http', () => nodeHttpTransport()],
];

describe('no error shows a token (every error path x both Node transports x header and query)', () => {
  let server: http.Server;
  const silentTls = net.createServer(() => undefined);
  let world: Omit<World, 'client'>;

  beforeAll(async () => {
    server = http.createServer(answer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await new Promise<void>((resolve) => silentTls.listen(0, '127.0.0.1', resolve));
    world = {
      silentTlsUrl: `https://127.0.0.1:${(silentTls.address() as AddressInfo).port}`,
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      closedUrl: `http://127.0.0.1:${closedPort}`,
    };
  });
  afterAll(() => {
    silentTls.close();
    return new Promise<void>((resolve) => server.close(() => resolve())).finally(() => server.closeAllConnections());
  });

  for (const [transportName, transport] of transports) {
    for (const placement of ['header', 'query'] as const) {
      for (const testCase of cases) {
        it(`${testCase.name}, ${transportName}, token in the ${placement}`, async () => {
          const client = (options: HttpClientOptions = {}) => {
            const chosen = transport();
            return createHttpClient({ retry: 0, ...options, ...(chosen ? { transport: chosen } : {}) });
          };
          const error = await lastValueFrom(testCase.fail({ ...world, client }, placement)).then(
            () => fail('expected an error'),
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(testCase.expected);
          for (const [view, text] of views(error)) {
            for (const secret of SECRETS) expect(text).withContext(view).not.toContain(secret);
          }
        });
      }
    }
  }

  it('the views it checks do show a token that is there: the check can fail', () => {
    const leaky = new Error(`GET /x?access_token=${ACCESS}`, {
      cause: Object.assign(new TypeError('Invalid URL'), { input: REFRESH }),
    });
    const shown = views(leaky).filter(([, text]) => text.includes(ACCESS) || text.includes(REFRESH));
    expect(shown.map(([view]) => view)).toEqual([
      'message',
      'String()',
      'util.inspect()',
      'cause 1 toJSON()',
      'cause 1 util.inspect()',
    ]);
  });
});

// message, String(), toJSON() and util.inspect() of the error, and the same for each cause.
function views(error: unknown): Array<readonly [string, string]> {
  const found: Array<readonly [string, string]> = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    const prefix = depth === 0 ? '' : `cause ${depth} `;
    found.push([`${prefix}message`, current.message]);
    if (depth === 0) found.push(['String()', String(current)]);
    const json = JSON.stringify(current);
    if (json !== '{}') found.push([`${prefix}toJSON()`, json]);
    found.push([`${prefix}util.inspect()`, inspect(current, { depth: Infinity, showHidden: false })]);
    current = current.cause;
  }
  return found;
}

function storeOf(tokens: { accessToken: string; refreshToken: string }): TokenStore {
  let current: { accessToken: string; refreshToken: string } | null = tokens;
  return {
    get: () => current,
    set: (next) => void (current = { accessToken: next.accessToken, refreshToken: next.refreshToken ?? '' }),
    clear: () => void (current = null),
  };
}

// The token a request carried, as the server saw it.
function tokenOf(request: http.IncomingMessage, url: URL): string {
  return url.searchParams.get('access_token') ?? request.headers.authorization?.replace(/^Bearer /, '') ?? '';
}

function answer(request: http.IncomingMessage, response: http.ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  request.resume();
  switch (url.pathname) {
    case '/status/500':
      // A server that sets a cookie from the token: set-cookie must reach no error.
      response
        .writeHead(500, { 'content-type': 'application/json', 'set-cookie': [`sid=${tokenOf(request, url)}`] })
        .end('{"error":"boom"}');
      return;
    case '/drop':
      request.socket.destroy();
      return;
    case '/hang':
      return; // never answers; the client's deadline ends it
    case '/text':
      response.writeHead(200, { 'content-type': 'text/plain' }).end('not json');
      return;
    case '/api/me':
      // The access token is stale: every refresh is needed.
      response
        .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' })
        .end('{"error":"invalid_token"}');
      return;
    case '/oauth/token': {
      const fault = url.searchParams.get('fault');
      if (fault === 'invalid_grant')
        response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
      else if (fault === '500') response.writeHead(500, { 'content-type': 'text/plain' }).end('down');
      else
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: ROTATED, refresh_token: ROTATED }));
      return;
    }
    default:
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }
}
