import { defer, lastValueFrom } from 'rxjs';
import { ajax } from 'rxjs/ajax';
import XHR2 from 'xhr2';
import { retryWithBackoff } from '../../lib';
import { startTestServer, type TestServer, type EchoedRequest } from '../../test-server/start-test-server';

// retryWithBackoff on plain rxjs/ajax, as its documentation shows: ajax's own errors must read as
// transient just like the client's.
describe('retryWithBackoff on rxjs/ajax (real loopback server, xhr2)', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(() => server.close());

  const get = (query: string) =>
    defer(() =>
      ajax<EchoedRequest>({
        url: `${server.url}/public/flaky?${query}`,
        createXHR: () => new XHR2(),
        crossDomain: true,
      }),
    ).pipe(retryWithBackoff({ limit: 2, baseDelayMs: 1 }));

  it('retries a dropped connection (an AjaxError with status 0)', async () => {
    const response = await lastValueFrom(get('key=drop&status=drop'));
    expect(response.response.path).toBe('/public/flaky');
    expect(server.flakyHits.get('drop')).toBe(2);
  });

  it("reads Retry-After through the AjaxError's XHR", async () => {
    // A Retry-After beyond maxRetryAfterMs (default 60 s) means no retry: proof the header was read.
    const error = await lastValueFrom(get('key=slow&status=503&retryAfter=3600')).catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(503);
    expect(server.flakyHits.get('slow')).toBe(1);
    const response = await lastValueFrom(get('key=now&status=503&retryAfter=0'));
    expect(response.status).toBe(200);
    expect(server.flakyHits.get('now')).toBe(2);
  });
});
