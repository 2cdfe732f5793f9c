import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { lastValueFrom, type Subscription } from 'rxjs';
import {
  createHttpClient as createClient,
  HttpError,
  InvalidRequestError,
  NetworkError,
  RequestTimeoutError,
  ResponseParseError,
  type HttpClient,
  type HttpClientOptions,
  type HttpTransport,
} from '../../lib';
import { nodeHttpTransport } from '../../lib/node';
import { startTestServer, type TestServer, type EchoedRequest } from '../../test-server/start-test-server';
import { UnconnectablePort } from '../support/unconnectable-port';

// The same contract for both Node transports: the default (rxjs/ajax over xhr2) and node:http.
const transports: ReadonlyArray<readonly [string, HttpTransport | undefined]> = [
  ['rxjs/ajax over xhr2', undefined],
  ['node:http', nodeHttpTransport()],
];

for (const [name, transport] of transports) {
  describe(`the ${name} transport in Node (real loopback server)`, () => {
    const createHttpClient = (options: HttpClientOptions = {}) =>
      createClient(transport ? { ...options, transport } : options);
    let server: TestServer;
    let client: HttpClient;

    beforeEach(async () => {
      server = await startTestServer();
      client = createHttpClient({ baseUrl: server.url, retry: 0 });
    });
    afterEach(() => server.close());

    it("sends the URL as the WHATWG parser spells it (' | ^ as they are), and its userinfo as Basic credentials", async () => {
      const port = new URL(server.url).port;
      const url = `http://u%40x:p%3Aw@127.0.0.1:${port}/public/echo/O'Brien|a^b%20c`;
      const echo = await lastValueFrom(createHttpClient({ retry: 0 }).get<EchoedRequest>(url));
      expect(echo.path).toBe(new URL(url).pathname);
      expect(echo.path).toBe("/public/echo/O'Brien|a^b%20c");
      expect(echo.headers['authorization']).toBe(`Basic ${Buffer.from('u@x:p:w').toString('base64')}`);
    });

    describe('requests are cold Observables', () => {
      it('sends nothing before subscribe and sends anew for each subscription', async () => {
        const echo$ = client.get<EchoedRequest>('/public/echo');
        expect(server.stats.requests).toBe(0);
        await lastValueFrom(echo$);
        await lastValueFrom(echo$);
        expect(server.stats.requests).toBe(2);
      });

      it('aborts the request when unsubscribed: the server sees the connection close', async () => {
        const subscription: Subscription = client.get('/public/slow', { params: { ms: 10_000 } }).subscribe();
        await server.until((stats) => stats.requests === 1);
        subscription.unsubscribe();
        await server.until((stats) => stats.aborted === 1);
        expect(server.stats.aborted).toBe(1);
      });
    });

    describe('timeout', () => {
      it('is a deadline for the whole response, not an idle timer: a trickling body still times out', async () => {
        // One byte every 30 ms never leaves the socket idle for 200 ms, so xhr2's timer alone would never fire.
        const error = await lastValueFrom(
          client.get('/public/trickle', { params: { bytes: 1000, everyMs: 30 }, timeout: 200 }),
        ).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RequestTimeoutError);
        expect((error as RequestTimeoutError).timeout).toBe(200);
        await server.until((stats) => stats.aborted === 1);
      });

      it('takes the client default when the request sets none', async () => {
        const quick = createHttpClient({ baseUrl: server.url, timeout: 100 });
        await expectAsync(lastValueFrom(quick.get('/public/slow', { params: { ms: 5_000 } }))).toBeRejectedWithError(
          RequestTimeoutError,
        );
      });
    });

    describe('connectTimeout', () => {
      let unconnectable: UnconnectablePort;
      beforeAll(async () => (unconnectable = await UnconnectablePort.open()));
      afterAll(() => unconnectable.close());

      it('fails a connection that cannot be made with RequestTimeoutError, phase connect, long before the timeout', async () => {
        const stuck = createHttpClient({
          baseUrl: `http://127.0.0.1:${unconnectable.port}`,
          connectTimeout: 100,
          timeout: 60_000,
          retry: 0,
        });
        const error = await lastValueFrom(stuck.get('/x')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RequestTimeoutError);
        expect((error as RequestTimeoutError).phase).toBe('connect');
        expect((error as RequestTimeoutError).timeout).toBe(100);
        expect((error as Error).message).toContain('connectTimeout');
      });

      it('covers the TLS handshake: a server that accepts TCP but never answers the ClientHello times out in phase connect', async () => {
        const silent = net.createServer(() => undefined); // accepts, then says nothing
        await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
        try {
          const port = (silent.address() as AddressInfo).port;
          const tls = createHttpClient({
            baseUrl: `https://127.0.0.1:${port}`,
            connectTimeout: 100,
            timeout: 60_000,
            retry: 0,
          });
          const error = await lastValueFrom(tls.get('/x')).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(RequestTimeoutError);
          expect((error as RequestTimeoutError).phase).toBe('connect');
        } finally {
          silent.close();
        }
      });

      it('is refused at set-up when it is not a number of milliseconds >= 0', () => {
        expect(() => createHttpClient({ connectTimeout: -1 })).toThrowError(
          TypeError,
          /connectTimeout must be a number of milliseconds/,
        );
      });

      it('leaves a slow answer the whole timeout, which then says phase response', async () => {
        const patient = createHttpClient({ baseUrl: server.url, connectTimeout: 50, timeout: 30_000 });
        expect(await lastValueFrom(patient.get<EchoedRequest>('/public/slow', { params: { ms: 300 } }))).toBeDefined();
        const error = await lastValueFrom(patient.get('/public/slow', { params: { ms: 5_000 }, timeout: 100 })).catch(
          (e: unknown) => e,
        );
        expect((error as RequestTimeoutError).phase).toBe('response');
      });
    });

    describe('request bodies arrive byte for byte', () => {
      const sent = (body: unknown, headers?: Record<string, string>) =>
        lastValueFrom(client.post<EchoedRequest>('/public/echo', body, headers ? { headers } : {}));

      it('sends a plain object as JSON', async () => {
        const echo = await sent({ a: 1, list: ['x'] });
        expect(JSON.parse(echo.body)).toEqual({ a: 1, list: ['x'] });
        expect(echo.contentType).toBe('application/json');
      });

      it('sends URLSearchParams form-encoded (xhr2 cannot send them itself)', async () => {
        const echo = await sent(new URLSearchParams({ grant: 'x y', n: '1' }));
        expect(echo.body).toBe('grant=x+y&n=1');
        expect(echo.contentType).toContain('application/x-www-form-urlencoded');
      });

      it('sends FormData as multipart with its boundary', async () => {
        const form = new FormData();
        form.append('name', 'ada');
        form.append('file', new Blob(['file-bytes'], { type: 'text/plain' }), 'a.txt');
        const echo = await sent(form);
        expect(echo.contentType).toMatch(/^multipart\/form-data; boundary=/);
        expect(echo.body).toContain('name="name"\r\n\r\nada');
        expect(echo.body).toContain('filename="a.txt"');
        expect(echo.body).toContain('file-bytes');
      });

      it('sends a Blob with its type', async () => {
        const echo = await sent(new Blob(['blob body'], { type: 'text/csv' }));
        expect(echo.body).toBe('blob body');
        expect(echo.contentType).toBe('text/csv');
      });

      it('sends exactly the bytes of a Buffer, not its 8 KiB pool', async () => {
        const echo = await sent(Buffer.from('hello'), { 'content-type': 'application/octet-stream' });
        expect(echo.bodyLength).toBe(5);
        expect(echo.body).toBe('hello');
      });

      it('sends exactly the bytes of a typed-array view', async () => {
        const view = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]).subarray(2, 5);
        const echo = await sent(view, { 'content-type': 'application/octet-stream' });
        expect(Buffer.from(echo.bodyBase64, 'base64')).toEqual(Buffer.from([2, 3, 4]));
      });

      it('rejects a body that cannot be serialized with a typed error, sending nothing', async () => {
        const circular: Record<string, unknown> = {};
        circular['self'] = circular;
        await expectAsync(sent(circular)).toBeRejectedWithError(InvalidRequestError);
        expect(server.stats.requests).toBe(0);
      });
    });

    describe('responses', () => {
      it('parses JSON and lower-cases header names', async () => {
        const response = await lastValueFrom(
          client.request<EchoedRequest>({ url: '/public/echo', headers: { 'X-Custom': 'v' } }),
        );
        expect(response.status).toBe(200);
        expect(response.headers['content-type']).toBe('application/json');
        expect(response.body.headers['x-custom']).toBe('v');
        expect(response.url).toBe(`${server.url}/public/echo`);
      });

      it('returns text, arraybuffer and blob bodies intact', async () => {
        expect(await lastValueFrom(client.get('/public/text', { responseType: 'text' }))).toBe('hello, not json');
        const bytes = await lastValueFrom(
          client.get<ArrayBuffer>('/public/bytes', { params: { n: 300 }, responseType: 'arraybuffer' }),
        );
        expect(bytes.byteLength).toBe(300);
        expect(new Uint8Array(bytes)[299]).toBe(299 % 256);
        const blob = await lastValueFrom(
          client.get<Blob>('/public/bytes', { params: { n: 10 }, responseType: 'blob' }),
        );
        expect(blob).toBeInstanceOf(Blob);
        expect(blob.type).toBe('application/octet-stream');
        expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      });

      it('fails with ResponseParseError, not a silent null, when JSON was expected and text came', async () => {
        const error = await lastValueFrom(client.get('/public/text')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ResponseParseError);
        expect((error as ResponseParseError).text).toBe('hello, not json');
        expect((error as ResponseParseError).status).toBe(200);
      });

      it('gives null for an empty JSON body and a HEAD response', async () => {
        const head = await lastValueFrom(client.head('/public/echo'));
        expect(head.status).toBe(200);
        expect(head.body).toBeNull();
      });

      it('maps a non-2xx status to HttpError with status, headers and parsed body', async () => {
        const error = await lastValueFrom(client.get('/public/status/503')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(HttpError);
        const httpError = error as HttpError;
        expect(httpError.status).toBe(503);
        expect(httpError.body).toEqual({ error: 'as_requested' });
        expect(httpError.headers['content-type']).toBe('application/json');
        expect(httpError.request?.method).toBe('GET');
      });

      it('does not add x-requested-with, which would force a CORS preflight', async () => {
        const echo = await lastValueFrom(client.get<EchoedRequest>('/public/echo'));
        expect(Object.keys(echo.headers)).not.toContain('x-requested-with');
      });
    });

    describe('what the caller sets is what goes on the wire', () => {
      it("sends the caller's User-Agent, in any spelling, as a client default and per request", async () => {
        const named = createHttpClient({ baseUrl: server.url, headers: { 'User-Agent': 'orders-sync/1.0' } });
        expect((await lastValueFrom(named.get<EchoedRequest>('/public/echo'))).headers['user-agent']).toBe(
          'orders-sync/1.0',
        );
        const perRequest = await lastValueFrom(
          named.get<EchoedRequest>('/public/echo', { headers: { 'user-agent': 'orders-sync/2.0' } }),
        );
        expect(perRequest.headers['user-agent']).toBe('orders-sync/2.0');
      });

      it('sends the headers a browser forbids, and prints nothing', async () => {
        const warn = spyOn(console, 'warn');
        const headers: Record<string, string> = {
          Cookie: 'sid=1',
          Origin: 'https://app.example',
          Referer: 'https://app.example/page',
          Date: 'Tue, 15 Nov 1994 08:12:31 GMT',
          Via: '1.1 gateway',
          DNT: '1',
          'Accept-Charset': 'utf-8',
          'Accept-Encoding': 'identity',
          'Proxy-Authorization': 'Basic cHJveHk6cHc=',
          'Sec-Purpose': 'prefetch',
          'Keep-Alive': 'timeout=5',
          Cookie2: '$Version=1',
        };
        const echo = await lastValueFrom(client.get<EchoedRequest>('/public/echo', { headers }));
        for (const name of Object.keys(headers))
          expect(echo.headers[name.toLowerCase()])
            .withContext(name)
            .toBe(headers[name] as string);
        expect(warn).not.toHaveBeenCalled();
      });

      it('refuses a header only the transport may set with an InvalidRequestError naming it, sending nothing', async () => {
        for (const name of ['Host', 'content-length', 'Transfer-Encoding', 'Connection']) {
          const error = await lastValueFrom(client.get('/public/echo', { headers: { [name]: 'x' } })).catch(
            (e: unknown) => e,
          );
          expect(error).withContext(name).toBeInstanceOf(InvalidRequestError);
          expect((error as Error).message)
            .withContext(name)
            .toContain(`"${name.toLowerCase()}"`);
        }
        expect(server.stats.requests).toBe(0);
      });
    });

    describe('header names are case-insensitive', () => {
      it('an interceptor setting Authorization and Content-Type next to authorization and the default type sends one of each, its own', async () => {
        const shouting = createHttpClient({
          baseUrl: server.url,
          headers: { authorization: 'Bearer from-defaults' },
          interceptors: [
            (req, next) =>
              next({
                ...req,
                headers: { ...req.headers, Authorization: 'Bearer from-interceptor', 'Content-Type': 'text/x-mine' },
              }),
          ],
        });
        const echo = await lastValueFrom(shouting.post<EchoedRequest>('/public/echo', { a: 1 }));
        expect(echo.headers['authorization']).toBe('Bearer from-interceptor');
        expect(echo.contentType).toBe('text/x-mine');
      });
    });

    describe('URLs', () => {
      it('joins relative URLs under the base URL path and appends params', async () => {
        const nested = createHttpClient({ baseUrl: `${server.url}/public/` });
        const echo = await lastValueFrom(
          nested.get<EchoedRequest>('/echo', { params: { q: 'a b', tag: ['x', 'y'], skip: undefined } }),
        );
        expect(echo.path).toBe('/public/echo');
        expect(echo.query).toEqual({ q: 'a b', tag: 'y' });
      });

      it('fails with InvalidRequestError on a relative URL with nothing to resolve it against', async () => {
        const error = await lastValueFrom(createHttpClient().get('/relative')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidRequestError);
        expect((error as Error).message).toContain('relative');
      });

      it('fails with InvalidRequestError on an invalid URL and an invalid method', async () => {
        await expectAsync(lastValueFrom(createHttpClient().get('http://exa mple.com/'))).toBeRejectedWithError(
          InvalidRequestError,
        );
        await expectAsync(lastValueFrom(client.request({ url: '/public/echo', method: 'GE T' }))).toBeRejectedWithError(
          InvalidRequestError,
        );
      });
    });

    describe('network failures', () => {
      it('keeps the cause of a refused connection', async () => {
        const closed = await closedPort();
        const error = await lastValueFrom(createHttpClient().get(`http://127.0.0.1:${closed}/`)).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(NetworkError);
        expect((error as NetworkError).code).toBe('ECONNREFUSED');
        expect(((error as NetworkError).cause as Error).message).toContain('ECONNREFUSED');
      });

      it('reports a dropped connection as a NetworkError', async () => {
        await expectAsync(lastValueFrom(client.get('/public/drop'))).toBeRejectedWithError(NetworkError);
      });
    });

    describe('redirects', () => {
      it('follows a relative Location', async () => {
        const echo = await lastValueFrom(
          client.get<EchoedRequest>('/public/redirect', { params: { to: '/public/echo?after=1' } }),
        );
        expect(echo.path).toBe('/public/echo');
        expect(echo.query).toEqual({ after: '1' });
      });

      it('keeps method and body on 307', async () => {
        const echo = await lastValueFrom(
          client.post<EchoedRequest>(`/public/redirect?status=307&to=/public/echo`, { kept: true }),
        );
        expect(echo.method).toBe('POST');
        expect(JSON.parse(echo.body)).toEqual({ kept: true });
      });

      it('turns a POST into a GET without body on 303', async () => {
        const echo = await lastValueFrom(
          client.post<EchoedRequest>(`/public/redirect?status=303&to=/public/echo`, { dropped: true }),
        );
        expect(echo.method).toBe('GET');
        expect(echo.bodyLength).toBe(0);
      });

      it('turns a POST into a GET on 302, but keeps a PUT and its body, as the Fetch standard says', async () => {
        const post = await lastValueFrom(
          client.post<EchoedRequest>(`/public/redirect?status=302&to=/public/echo`, { dropped: true }),
        );
        expect(post.method).toBe('GET');
        const put = await lastValueFrom(
          client.put<EchoedRequest>(`/public/redirect?status=302&to=/public/echo`, { kept: true }),
        );
        expect(put.method).toBe('PUT');
        expect(JSON.parse(put.body)).toEqual({ kept: true });
      });

      it('drops the Authorization header when a redirect leaves the origin', async () => {
        const other = await startTestServer();
        try {
          const target = `${other.url}/public/echo`;
          const viaRedirect = await lastValueFrom(
            client.get<EchoedRequest>('/public/redirect', {
              params: { to: target },
              headers: { authorization: 'Bearer secret-1' },
            }),
          );
          expect(viaRedirect.headers['authorization']).toBeUndefined();
          const sameOrigin = await lastValueFrom(
            client.get<EchoedRequest>('/public/redirect', {
              params: { to: '/public/echo' },
              headers: { authorization: 'Bearer secret-1' },
            }),
          );
          expect(sameOrigin.headers['authorization']).toBe('Bearer secret-1');
        } finally {
          await other.close();
        }
      });

      it('stops a redirect loop with a NetworkError', async () => {
        const error = await lastValueFrom(client.get('/public/redirect', { params: { loop: 1 } })).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(NetworkError);
        expect((error as NetworkError).code).toBe('ERR_TOO_MANY_REDIRECTS');
      });
    });

    describe('errors never show a token', () => {
      it('redacts credentials in messages, inspect output and JSON', async () => {
        const secret = 'sEcReT-token-123';
        const error = await lastValueFrom(
          client.get(`/public/status/500?access_token=${secret}`, { headers: { authorization: `Bearer ${secret}` } }),
        ).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(HttpError);
        for (const text of [
          String(error),
          (error as Error).message,
          inspect(error, { depth: 10 }),
          JSON.stringify(error),
        ]) {
          expect(text).not.toContain(secret);
        }
        expect((error as HttpError).request?.url).toContain('access_token=[redacted]');
        expect((error as HttpError).request?.headers['authorization']).toBe('[redacted]');
      });
    });
  });
}

async function closedPort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
