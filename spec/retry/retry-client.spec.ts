import { lastValueFrom, throwError } from 'rxjs';
import { catchError, switchMap } from 'rxjs/operators';
import {
  createHttpClient,
  HttpError,
  MemoryTokenStore,
  NetworkError,
  oauth2Refresh,
  type HttpClient,
  type HttpClientOptions,
  type HttpInterceptor,
} from '../../lib';
import { startTestServer, type TestServer } from '../../test-server/start-test-server';

describe('the client retrying transient failures, against a real server', () => {
  let server: TestServer;
  let key = 0;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(() => server.close());

  // A fresh flaky route per use: fails its first `fail` hits, then echoes.
  function flaky(query: string): { url: string; hits: () => number } {
    const name = `k${++key}`;
    return { url: `/public/flaky?key=${name}&${query}`, hits: () => server.flakyHits.get(name) ?? 0 };
  }

  const fast: HttpClientOptions['retry'] = { baseDelayMs: 5 };
  const client = (options: HttpClientOptions = {}) =>
    createHttpClient({ baseUrl: server.url, retry: fast, ...options });

  it('retries a GET through two 503s and returns the third answer', async () => {
    const route = flaky('fail=2&status=503');
    const echo = await lastValueFrom(client().get<{ method: string }>(route.url));
    expect(echo.method).toBe('GET');
    expect(route.hits()).toBe(3);
  });

  it('retries PUT, DELETE and HEAD, and each of 408, 429, 500, 502 and 504', async () => {
    for (const method of ['PUT', 'DELETE', 'HEAD']) {
      const route = flaky('fail=1&status=502');
      const response = await lastValueFrom(client().request({ method, url: route.url, responseType: 'text' }));
      expect(response.status).withContext(method).toBe(200);
      expect(route.hits()).withContext(method).toBe(2);
    }
    for (const status of [408, 429, 500, 502, 504]) {
      const route = flaky(`fail=1&status=${status}`);
      await lastValueFrom(client().get(route.url));
      expect(route.hits()).withContext(String(status)).toBe(2);
    }
  });

  it('gives up after the limit with the last HttpError', async () => {
    const route = flaky('fail=10&status=503');
    const error = await lastValueFrom(client().get(route.url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(503);
    expect(route.hits()).toBe(3);
  });

  it('does not retry POST or PATCH unless the methods say so', async () => {
    const post = flaky('fail=1');
    await expectAsync(lastValueFrom(client().post(post.url, { a: 1 }))).toBeRejectedWithError(HttpError);
    expect(post.hits()).toBe(1);
    const patch = flaky('fail=1');
    await expectAsync(lastValueFrom(client().patch(patch.url, { a: 1 }))).toBeRejectedWithError(HttpError);
    expect(patch.hits()).toBe(1);

    const asked = flaky('fail=1');
    const echo = await lastValueFrom(
      client().post<{ body: string }>(asked.url, { a: 1 }, { retry: { methods: ['POST'] } }),
    );
    expect(JSON.parse(echo.body)).toEqual({ a: 1 }); // the body is sent again intact
    expect(asked.hits()).toBe(2);
  });

  it('does not retry 404 or 400', async () => {
    for (const status of [400, 404]) {
      const route = flaky(`fail=1&status=${status}`);
      await expectAsync(lastValueFrom(client().get(route.url))).toBeRejectedWithError(HttpError);
      expect(route.hits()).withContext(String(status)).toBe(1);
    }
  });

  it('retries a dropped connection of an idempotent request, and not of a POST', async () => {
    const get = flaky('fail=1&status=drop');
    expect((await lastValueFrom(client().get<{ method: string }>(get.url))).method).toBe('GET');
    expect(get.hits()).toBe(2);
    const post = flaky('fail=1&status=drop');
    const error = await lastValueFrom(client().post(post.url, 'x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(post.hits()).toBe(1);
  });

  it('reports a response cut off mid-body as a NetworkError (ECONNRESET), and retries it', async () => {
    const once = flaky('fail=1&status=reset');
    const error = await lastValueFrom(client().get(once.url, { retry: false })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('ECONNRESET');
    const retried = flaky('fail=1&status=reset');
    expect((await lastValueFrom(client().get<{ method: string }>(retried.url))).method).toBe('GET');
    expect(retried.hits()).toBe(2);
  });

  it('lets the client turn retrying off and a request turn it back on, or off', async () => {
    const off = createHttpClient({ baseUrl: server.url, retry: false });
    const once = flaky('fail=1');
    await expectAsync(lastValueFrom(off.get(once.url))).toBeRejectedWithError(HttpError);
    expect(once.hits()).toBe(1);
    const perRequest = flaky('fail=3');
    await lastValueFrom(off.get(perRequest.url, { retry: { limit: 3, baseDelayMs: 1 } }));
    expect(perRequest.hits()).toBe(4);
    const optedOut = flaky('fail=1');
    await expectAsync(lastValueFrom(client().get(optedOut.url, { retry: false }))).toBeRejectedWithError(HttpError);
    expect(optedOut.hits()).toBe(1);
  });

  it('waits for Retry-After: 1 before retrying a 429', async () => {
    const route = flaky('fail=1&status=429&retryAfter=1');
    const started = Date.now();
    await lastValueFrom(client().get(route.url));
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(route.hits()).toBe(2);
  });

  it('does not retry when Retry-After is beyond maxRetryAfterMs', async () => {
    const route = flaky('fail=1&status=503&retryAfter=3600');
    const error = await lastValueFrom(client().get(route.url)).catch((e: unknown) => e);
    expect((error as HttpError).status).toBe(503);
    expect((error as HttpError).headers['retry-after']).toBe('3600');
    expect(route.hits()).toBe(1);
  });

  it('runs the caller interceptors once per attempt on the network', async () => {
    const seen: number[] = [];
    const count: HttpInterceptor = (req, next) => {
      seen.push(seen.length + 1);
      return next({ ...req, headers: { ...req.headers, 'x-attempt': String(seen.length) } });
    };
    const route = flaky('fail=2');
    const echo = await lastValueFrom(
      client({ interceptors: [count] }).get<{ headers: Record<string, string> }>(route.url),
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(echo.headers['x-attempt']).toBe('3');
  });

  it('retries a refused connection twice with the default settings, and still fails within two seconds', async () => {
    const closed = await startTestServer();
    const port = new URL(closed.url).port;
    await closed.close();
    let attempts = 0;
    const counting: HttpInterceptor = (req, next) => {
      attempts++;
      return next(req);
    };
    const started = Date.now();
    const error = await lastValueFrom(
      createHttpClient({ interceptors: [counting] }).get(`http://127.0.0.1:${port}/`),
    ).catch((e: unknown) => e);
    expect((error as NetworkError).code).toBe('ECONNREFUSED');
    expect(attempts).toBe(3);
    // Two waits of at most 300 and 600 ms (full jitter), plus the failed connects.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  describe('with auth', () => {
    let store: MemoryTokenStore;
    beforeEach(() => {
      store = new MemoryTokenStore(server.issueTokens());
      server.expireAccessTokens();
    });
    const authClient = (options: HttpClientOptions = {}) =>
      client({ ...options, auth: { store, refresh: oauth2Refresh({ tokenUrl: `${server.url}/oauth/token` }) } });

    it('refreshes once, then retries the transient failures with the new token', async () => {
      // The server answers 401 before it counts a flaky hit: 401, refresh, 503, 503, ok.
      const name = `k${++key}`;
      const echo = await lastValueFrom(
        authClient().get<{ headers: Record<string, string> }>(`/api/flaky?key=${name}&fail=2`),
      );
      expect(server.flakyHits.get(name)).toBe(3);
      expect(server.stats.tokenRequests).toBe(1);
      expect(server.stats.unauthorized).toBe(1);
      expect(echo.headers['authorization']).toBe(`Bearer ${store.get()?.accessToken}`);
    });

    it('resends the token its attempt had; when a refresh replaced it during the wait, the auth layer swaps it in', async () => {
      // Valid tokens: the first attempt gets a 503. Before its error reaches the retry layer,
      // another request finds its token expired and refreshes. The retry still carries the old
      // token, is refused, and the auth layer retries it with the new one, without a refresh.
      store.set(server.issueTokens());
      const old = store.get()?.accessToken;
      let made: HttpClient | null = null;
      let attempts = 0;
      const refreshInBetween: HttpInterceptor = (req, next) =>
        ++attempts > 1 || req.url.includes('/api/echo')
          ? next(req)
          : next(req).pipe(
              catchError((error: unknown) => {
                server.expireAccessTokens();
                return (made as HttpClient).get('/api/echo').pipe(switchMap(() => throwError(() => error)));
              }),
            );
      made = authClient({ interceptors: [refreshInBetween] });
      const name = `k${++key}`;
      const echo = await lastValueFrom(made.get<{ headers: Record<string, string> }>(`/api/flaky?key=${name}&fail=1`));
      const fresh = store.get()?.accessToken;
      expect(fresh).not.toBe(old);
      expect(echo.headers['authorization']).toBe(`Bearer ${fresh}`);
      expect(server.stats.tokenRequests).toBe(1);
      // /api/echo: 401 + retry; flaky: 503, then 401 with the old token, then ok with the new one.
      expect(server.stats.tokensSeen.filter((token) => token === old).length).toBe(3);
      expect(server.flakyHits.get(name)).toBe(2);
    });

    it('never retries a 401 in the retry layer, and refreshes at most once however often it is retried', async () => {
      // A server that rejects every fresh token: each attempt finds its token expired.
      const expireFirst: HttpInterceptor = (req, next) => {
        server.expireAccessTokens();
        return next(req);
      };
      const error = await lastValueFrom(authClient({ interceptors: [expireFirst] }).get('/api/echo')).catch(
        (e: unknown) => e,
      );
      expect((error as HttpError).status).toBe(401);
      expect(server.stats.tokenRequests).toBe(1);
      expect(server.stats.apiRequests).toBe(2); // the first attempt and the one after the refresh
    });
  });
});
