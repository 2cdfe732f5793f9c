import { HttpError, NetworkError, RequestTimeoutError } from '../../lib';
import { retryAfterMs, retryDelay } from '../../lib/retry/retry-delay';
import { DEFAULT_RETRY, resolveRetryOptions } from '../../lib/retry/retry-options';

const request = { method: 'GET', url: 'http://127.0.0.1/x', headers: {} };
const httpError = (status: number, headers: Record<string, string> = {}) =>
  new HttpError({ status, headers, body: null, url: request.url, request });

describe('retry options', () => {
  it('defaults to two retries of idempotent methods on network errors and 408, 429, 500, 502, 503, 504', () => {
    const resolved = resolveRetryOptions(undefined);
    expect(resolved.limit).toBe(2);
    expect([...resolved.methods].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT']);
    expect([...resolved.statusCodes].sort()).toEqual([408, 429, 500, 502, 503, 504]);
    expect(resolved.retryOnTimeout).toBeFalse();
    expect(resolved.baseDelayMs).toBe(300);
    expect(resolved.maxDelayMs).toBe(10_000);
  });

  it('reads a number as the limit and false as off, keeping the rest of the base', () => {
    const base = resolveRetryOptions({ baseDelayMs: 5, methods: ['get', 'post'] });
    expect(resolveRetryOptions(4, base)).toEqual({ ...base, limit: 4 });
    expect(resolveRetryOptions(false, base)).toEqual({ ...base, limit: 0 });
    expect(resolveRetryOptions(undefined, base)).toBe(base);
    expect([...base.methods]).toEqual(['GET', 'POST']);
  });

  it('lets a request override single fields over the client settings', () => {
    const client = resolveRetryOptions({ limit: 5, baseDelayMs: 7 });
    const request = resolveRetryOptions({ maxElapsedMs: 1000 }, client);
    expect(request).toEqual({ ...client, maxElapsedMs: 1000 });
  });

  it('rejects bad input with a TypeError', () => {
    expect(() => resolveRetryOptions(-1)).toThrowError(TypeError);
    expect(() => resolveRetryOptions(1.5)).toThrowError(TypeError);
    expect(() => resolveRetryOptions({ statusCodes: [401, 503] })).toThrowError(TypeError, /401/);
    expect(() => resolveRetryOptions({ statusCodes: [200] })).toThrowError(TypeError);
    expect(() => resolveRetryOptions({ baseDelayMs: Number.NaN })).toThrowError(TypeError);
    expect(() => resolveRetryOptions({ methods: 'GET' as unknown as string[] })).toThrowError(TypeError);
    expect(() => resolveRetryOptions(null as unknown as number)).toThrowError(TypeError);
  });
});

describe('retryDelay', () => {
  const first = (error: unknown, retryIndex = 0, elapsedMs = 0) => ({ error, retryIndex, elapsedMs });

  it('waits a uniformly random time up to base * 2^n, capped at maxDelayMs (full jitter)', () => {
    const options = resolveRetryOptions({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect(retryDelay(first(httpError(503), 0), options, () => 0.999)).toBe(99);
    expect(retryDelay(first(httpError(503), 2), options, () => 0.5)).toBe(200);
    expect(retryDelay(first(httpError(503), 9), options, () => 0.5)).toBe(500); // cap 1000, not 51 200
    expect(retryDelay(first(httpError(503), 3), options, () => 0)).toBe(0);
  });

  it('retries network errors, timeouts only when asked, and no other failure', () => {
    const network = new NetworkError(request, Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    const timedOut = new RequestTimeoutError(request, 100);
    expect(retryDelay(first(network), DEFAULT_RETRY, () => 0)).toBe(0);
    expect(retryDelay(first(timedOut), DEFAULT_RETRY, () => 0)).toBeNull();
    expect(retryDelay(first(timedOut), resolveRetryOptions({ retryOnTimeout: true }), () => 0)).toBe(0);
    for (const status of [400, 401, 403, 404, 409, 422, 501])
      expect(retryDelay(first(httpError(status)), DEFAULT_RETRY))
        .withContext(String(status))
        .toBeNull();
    expect(retryDelay(first(new Error('bug')), DEFAULT_RETRY)).toBeNull();
  });

  it('honours Retry-After in seconds and as an HTTP-date on 429 and 503, but not on 500', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(retryDelay(first(httpError(429, { 'retry-after': '3' })), DEFAULT_RETRY, () => 0, now)).toBe(3000);
    const inFiveSeconds = new Date(now + 5000).toUTCString();
    expect(retryDelay(first(httpError(503, { 'retry-after': inFiveSeconds })), DEFAULT_RETRY, () => 0, now)).toBe(5000);
    expect(retryDelay(first(httpError(500, { 'retry-after': '3' })), DEFAULT_RETRY, () => 0, now)).toBe(0);
    // Unreadable: falls back to the backoff.
    expect(retryDelay(first(httpError(503, { 'retry-after': 'soon' })), DEFAULT_RETRY, () => 0, now)).toBe(0);
  });

  it('gives up when Retry-After asks for more than maxRetryAfterMs', () => {
    const options = resolveRetryOptions({ maxRetryAfterMs: 2000 });
    expect(retryDelay(first(httpError(429, { 'retry-after': '3' })), options)).toBeNull();
    expect(retryDelay(first(httpError(429, { 'retry-after': '2' })), options)).toBe(2000);
  });

  it('gives up when the wait would end past maxElapsedMs', () => {
    const options = resolveRetryOptions({ maxElapsedMs: 1000 });
    expect(retryDelay(first(httpError(429, { 'retry-after': '1' }), 0, 1), options)).toBeNull();
    expect(retryDelay(first(httpError(429, { 'retry-after': '1' }), 0, 0), options)).toBe(1000);
  });

  it('parses Retry-After values', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryAfterMs(' 120 ', now)).toBe(120_000);
    expect(retryAfterMs(new Date(now - 60_000).toUTCString(), now)).toBe(0);
    expect(retryAfterMs('-5', now)).toBeNull();
    expect(retryAfterMs('', now)).toBeNull();
  });
});
