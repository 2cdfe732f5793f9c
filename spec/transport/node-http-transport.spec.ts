import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { forkJoin, lastValueFrom } from 'rxjs';
import {
  createHttpClient,
  HttpError,
  MemoryTokenStore,
  NetworkError,
  oauth2Refresh,
  RequestTimeoutError,
  type HttpTransport,
  type TransportSettings,
} from '../../lib';
import { nodeHttpTransport } from '../../lib/node';
import { startTestServer, type TestServer, type EchoedRequest } from '../../test-server/start-test-server';
import { UnconnectablePort } from '../support/unconnectable-port';

// What only the node:http transport has to prove; the contract both transports share is in
// transports.spec.ts.
describe('nodeHttpTransport', () => {
  describe('against a bare node:http server', () => {
    let server: http.Server;
    let baseUrl: string;
    let connections: number;

    beforeEach(async () => {
      connections = 0;
      server = http.createServer(answer);
      server.on('connection', () => connections++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(() =>
      new Promise<void>((resolve) => server.close(() => resolve())).finally(() => server.closeAllConnections()),
    );

    it('keeps connections alive: sequential requests share one socket', async () => {
      const client = createHttpClient({ baseUrl, transport: nodeHttpTransport() });
      for (let i = 0; i < 5; i++) expect(await lastValueFrom(client.get('/json'))).toEqual({ ok: true });
      expect(connections).toBe(1);
    });

    it('sends through the agent it is given', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const client = createHttpClient({ baseUrl, transport: nodeHttpTransport({ httpAgent: agent }) });
      await lastValueFrom(forkJoin([client.get('/json'), client.get('/json'), client.get('/json')]));
      expect(connections).toBe(1); // three at once, yet one socket: the agent's limit held
      agent.destroy();
    });

    it("bounds the connection set-up through a caller's own agent too, which our agents cannot arm", async () => {
      const unconnectable = await UnconnectablePort.open();
      const agent = new http.Agent({ keepAlive: true });
      try {
        const client = createHttpClient({
          baseUrl: `http://127.0.0.1:${unconnectable.port}`,
          transport: nodeHttpTransport({ httpAgent: agent }),
          connectTimeout: 100,
          timeout: 60_000,
          retry: 0,
        });
        const error = await lastValueFrom(client.get('/x')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RequestTimeoutError);
        expect((error as RequestTimeoutError).phase).toBe('connect');
      } finally {
        agent.destroy();
        unconnectable.close();
      }
    });

    it("decodes text by the response's charset and drops a UTF-8 byte order mark", async () => {
      const client = createHttpClient({ baseUrl, transport: nodeHttpTransport() });
      expect(await lastValueFrom(client.get('/latin1', { responseType: 'text' }))).toBe('café');
      expect(await lastValueFrom(client.get('/bom-json'))).toEqual({ a: 1 });
    });

    it('joins repeated headers and hides set-cookie, as an XMLHttpRequest does', async () => {
      const client = createHttpClient({ baseUrl, transport: nodeHttpTransport() });
      const response = await lastValueFrom(client.request({ url: '/cookies' }));
      expect(response.headers['x-repeated']).toBe('a, b');
      expect(Object.keys(response.headers)).not.toContain('set-cookie');
    });

    describe('compression', () => {
      const json = { ok: true, text: 'compressible '.repeat(50) };

      it('asks for gzip, deflate and br, and decodes each with zlib (deflate also raw, and codings applied twice)', async () => {
        const client = createHttpClient({ baseUrl, transport: nodeHttpTransport() });
        for (const coding of ['gzip', 'deflate', 'deflate-raw', 'br', 'gzip,br']) {
          const response = await lastValueFrom(client.request({ url: `/encoded?coding=${coding}` }));
          expect(response.body).withContext(coding).toEqual(json);
          expect(response.headers['x-accept-encoding']).withContext(coding).toBe('gzip, deflate, br');
          expect(Number(response.headers['content-length']))
            .withContext(coding)
            .toBeLessThan(JSON.stringify(json).length);
        }
      });

      it("sends the caller's Accept-Encoding as set, in any spelling", async () => {
        const client = createHttpClient({
          baseUrl,
          transport: nodeHttpTransport(),
          headers: { 'Accept-Encoding': 'identity' },
        });
        const response = await lastValueFrom(client.request({ url: '/encoded?coding=identity' }));
        expect(response.headers['x-accept-encoding']).toBe('identity');
        expect(response.body).toEqual(json);
      });

      it('fails a body that does not decode with a NetworkError', async () => {
        const client = createHttpClient({ baseUrl, transport: nodeHttpTransport(), retry: 0 });
        const error = await lastValueFrom(client.get('/encoded?coding=gzip&corrupt=1')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NetworkError);
        expect((error as NetworkError).code).toMatch(/^Z_/);
      });
    });

    it('reports a body cut off mid-way as a NetworkError, not a short success', async () => {
      const client = createHttpClient({ baseUrl, transport: nodeHttpTransport(), retry: 0 });
      const error = await lastValueFrom(client.get('/cut-off', { responseType: 'text' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).code).toBe('ECONNRESET');
    });

    it('fails a redirect to another scheme with a NetworkError', async () => {
      const client = createHttpClient({ baseUrl, transport: nodeHttpTransport(), retry: 0 });
      const error = await lastValueFrom(client.get('/to-ftp')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
    });
  });

  describe('with the refresh', () => {
    let server: TestServer;
    beforeEach(async () => (server = await startTestServer()));
    afterEach(() => server.close());

    it('turns 50 concurrent 401s into one refresh, and re-sends a FormData body intact', async () => {
      const store = new MemoryTokenStore(server.issueTokens());
      server.expireAccessTokens();
      const client = createHttpClient({
        baseUrl: server.url,
        transport: nodeHttpTransport(),
        auth: { store, refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }) },
      });
      const form = new FormData();
      form.append('upload', new Blob(['upload-bytes']), 'u.bin');
      const [items, upload] = await lastValueFrom(
        forkJoin([
          forkJoin(Array.from({ length: 50 }, (_, i) => client.get<EchoedRequest>(`/api/item/${i}`))),
          client.post<EchoedRequest>('/api/echo', form),
        ]),
      );
      expect(items.every((echo, i) => echo.path === `/api/item/${i}`)).toBeTrue();
      expect(upload.body).toContain('upload-bytes');
      expect(server.stats.tokenRequests).toBe(1);
      expect(server.stats.refreshTokenReuse).toBe(0);
      expect(server.accepts(store.get()!.accessToken)).toBeTrue();
    });
  });

  describe('settings from the client', () => {
    let server: TestServer;
    beforeEach(async () => (server = await startTestServer()));
    afterEach(() => server.close());

    it("is told the token's query parameter, and its errors hide the token there", async () => {
      const seen: TransportSettings[] = [];
      const transport: HttpTransport = (settings) => {
        seen.push(settings);
        return nodeHttpTransport()(settings);
      };
      const tokens = server.issueTokens();
      const client = createHttpClient({
        baseUrl: server.url,
        transport,
        retry: 0,
        auth: {
          store: new MemoryTokenStore(tokens),
          refresh: () => Promise.reject(new Error('unused')),
          tokenPlacement: { queryParam: 'sig' },
        },
      });
      const error = await lastValueFrom(client.get('/public/status/500')).catch((e: unknown) => e);
      expect([...(seen[0]?.secretParams ?? [])]).toEqual(['sig']);
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).request?.url).toContain('sig=[redacted]');
      expect(JSON.stringify(error)).not.toContain(tokens.accessToken);
    });
  });

  describe('options', () => {
    it('refuses a transport and a createXHR together, and a transport that is not one', () => {
      expect(() =>
        createHttpClient({
          transport: nodeHttpTransport(),
          createXHR: () => new XMLHttpRequestStub() as unknown as XMLHttpRequest,
        }),
      ).toThrowError(TypeError, /createXHR applies to the default transport only/);
      expect(() => createHttpClient({ transport: 'node' as never })).toThrowError(
        TypeError,
        /transport must be a function/,
      );
    });
  });
});

class XMLHttpRequestStub {}

const ENCODERS: Readonly<Record<string, (bytes: Buffer) => Buffer>> = {
  gzip: (bytes) => zlib.gzipSync(bytes),
  deflate: (bytes) => zlib.deflateSync(bytes),
  'deflate-raw': (bytes) => zlib.deflateRawSync(bytes),
  br: (bytes) => zlib.brotliCompressSync(bytes),
  identity: (bytes) => bytes,
};

// The JSON document of the compression specs, encoded as ?coding= says (codings applied in order).
function encoded(request: http.IncomingMessage, response: http.ServerResponse): void {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const codings = (query.get('coding') ?? 'identity').split(',');
  let body: Buffer = Buffer.from(JSON.stringify({ ok: true, text: 'compressible '.repeat(50) }));
  for (const coding of codings) body = (ENCODERS[coding] as (bytes: Buffer) => Buffer)(body);
  if (query.has('corrupt')) body = Buffer.from('not gzip at all');
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-encoding': codings.map((coding) => (coding === 'deflate-raw' ? 'deflate' : coding)).join(', '),
    'content-length': String(body.length),
    'x-accept-encoding': request.headers['accept-encoding'] ?? '',
  });
  response.end(body);
}

function answer(request: http.IncomingMessage, response: http.ServerResponse): void {
  if (request.url?.startsWith('/encoded?')) return encoded(request, response);
  switch (request.url) {
    case '/json':
      response.setHeader('content-type', 'application/json').end('{"ok":true}');
      return;
    case '/latin1':
      response.setHeader('content-type', 'text/plain; charset=iso-8859-1').end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      return;
    case '/bom-json':
      response
        .setHeader('content-type', 'application/json')
        .end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]));
      return;
    case '/cookies':
      response
        .setHeader('set-cookie', ['a=1', 'b=2'])
        .setHeader('x-repeated', ['a', 'b'])
        .setHeader('content-type', 'application/json')
        .end('null');
      return;
    case '/cut-off':
      // Promises 100 bytes, sends 10, then the connection goes.
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      response.write('0123456789', () => request.socket.destroy());
      return;
    case '/to-ftp':
      response.writeHead(302, { location: 'ftp://127.0.0.1/file' }).end();
      return;
    default:
      response.writeHead(404).end();
  }
}
