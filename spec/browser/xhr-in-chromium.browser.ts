import type { Browser, Page } from 'playwright-core';
import type { BrowserSuite, Echo, ErrorReport, Outcome, PageSession } from './page/browser-suite';
import { launchChromium } from './support/launch-chromium';
import { bundleTestPage, testPageHandler, type PageBundle } from './support/test-page-server';
import { LoopbackPageServer } from '../support/loopback-page-server';
import { startTestServer, type TestServer } from '../../test-server/start-test-server';

// Bounds for a stuck browser or server, never a way to wait: every spec waits on events.
const SPEC_TIMEOUT_MS = 20_000;
const SETUP_TIMEOUT_MS = 90_000;

type Scenario = Exclude<keyof BrowserSuite, 'nativeXhr'>;

describe('the client in headless Chromium (the browser’s own XMLHttpRequest, real CORS)', () => {
  let bundle: PageBundle;
  let pageServer: LoopbackPageServer;
  let browser: Browser;
  let page: Page;
  const uncaught: string[] = [];
  // A fresh API and a fresh "third party" origin per spec, so no request of one spec can land in
  // the counters of the next. The page itself is served from a third port: every call is cross-origin.
  let api: TestServer;
  let third: TestServer;

  beforeAll(async () => {
    bundle = await bundleTestPage();
    pageServer = await LoopbackPageServer.start(testPageHandler(bundle));
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => uncaught.push(error.message));
    await page.goto(pageServer.url);
    const native = await page.evaluate(() => window.browserSuite?.nativeXhr());
    if (native !== true)
      throw new Error(
        `the test page did not set up its scenarios (nativeXhr: ${String(native)}); uncaught: ${uncaught.join('; ')}`,
      );
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await pageServer?.close();
  });

  beforeEach(async () => {
    [api, third] = await Promise.all([startTestServer(), startTestServer()]);
  });

  afterEach(async () => {
    expect(uncaught).withContext('uncaught errors in the page').toEqual([]);
    await Promise.all([api.close(), third.close()]);
  });

  /** Runs one of the page's scenarios in the browser and brings its JSON answer back. */
  function inPage<K extends Scenario>(
    name: K,
    ...args: Parameters<BrowserSuite[K]>
  ): Promise<Awaited<ReturnType<BrowserSuite[K]>>> {
    return page.evaluate(
      ({ name, args }) => {
        const suite = window.browserSuite;
        if (!suite) throw new Error('the test page lost its scenarios');
        return (suite[name] as (...args: unknown[]) => unknown)(...args);
      },
      { name, args: args },
    ) as Promise<Awaited<ReturnType<BrowserSuite[K]>>>;
  }

  function signIn(): PageSession {
    const { accessToken, refreshToken, expiresAt } = api.issueTokens();
    return { api: api.url, tokens: { accessToken, refreshToken, expiresAt } };
  }

  function failure(outcome: Outcome<unknown>): ErrorReport {
    if (outcome.ok)
      throw new Error(`expected the request to fail, it answered ${outcome.status}: ${JSON.stringify(outcome.body)}`);
    return outcome.error;
  }

  function success<T>(outcome: Outcome<unknown>): { status: number; url: string; body: T } {
    if (!outcome.ok)
      throw new Error(`expected the request to succeed, it failed: ${outcome.error.name}: ${outcome.error.message}`);
    return outcome as { status: number; url: string; body: T };
  }

  function expectNoSecret(error: ErrorReport, session: PageSession): void {
    for (const secret of [session.tokens.accessToken, session.tokens.refreshToken ?? '']) {
      expect(error.message).not.toContain(secret);
      expect(error.json).not.toContain(secret);
    }
  }

  it('bundles for the browser with xhr2 mapped to the global XMLHttpRequest, not its Node client', async () => {
    expect(bundle.inputs.filter((input) => input.endsWith('node_modules/xhr2/lib/browser.js')).length).toBe(1);
    expect(bundle.inputs.filter((input) => input.endsWith('xhr2/lib/xhr2.js') || input.startsWith('node:'))).toEqual(
      [],
    );
    expect(bundle.inputs.filter((input) => input.endsWith('lib/transport/ajax-transport.ts')).length).toBe(1);
    expect(await page.evaluate(() => window.browserSuite?.nativeXhr())).toBeTrue();
  });

  it(
    'answers concurrent 401s with exactly one refresh, and every request then succeeds',
    async () => {
      const session = signIn();
      api.expireAccessTokens();

      const { echoes, storedAccessToken } = await inPage('concurrent', session, 5);

      expect(api.stats.tokenRequests).toBe(1);
      expect(api.stats.refreshTokenReuse).toBe(0);
      expect(api.stats.unauthorized).toBe(5);
      expect(api.stats.preflights)
        .withContext('cross-origin calls with a token need a CORS preflight')
        .toBeGreaterThan(0);
      expect(storedAccessToken).not.toBeNull();
      expect(storedAccessToken).not.toBe(session.tokens.accessToken);
      expect(api.accepts(storedAccessToken ?? '')).toBeTrue();
      expect(echoes.map((echo) => echo.headers['authorization'])).toEqual(Array(5).fill(`Bearer ${storedAccessToken}`));
      expect(echoes.map((echo) => echo.headers['origin'])).toEqual(Array(5).fill(pageServer.url.replace(/\/$/, '')));
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'aborts the XHR when unsubscribed: the server sees the connection close',
    async () => {
      const session = signIn();
      await inPage('startSlow', session, 20_000);
      await api.until((stats) => stats.apiRequests === 1);

      const { settledBefore } = await inPage('stopSlow');
      await api.until((stats) => stats.aborted === 1);

      expect(settledBefore).toBeNull();
      expect(api.stats.aborted).toBe(1);
      expect(api.stats.unauthorized).toBe(0);
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'fails a request that outlives its timeout with RequestTimeoutError and aborts it',
    async () => {
      const session = signIn();
      // 1.5 s leaves a loaded machine ample time to get the request to the server, which the spec waits for.
      const outcome = inPage('send', session, { url: '/api/slow', params: { ms: 20_000 }, timeout: 1_500 });
      await api.until((stats) => stats.apiRequests === 1);

      const error = failure(await outcome);
      await api.until((stats) => stats.aborted === 1);

      expect(error.name).toBe('RequestTimeoutError');
      expect(error.classes).toEqual(['RequestError', 'RequestTimeoutError']);
      expect(error.timeout).toBe(1_500);
      expect(api.stats.aborted).toBe(1);
      expectNoSecret(error, session);
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'reads a binary body as a Blob with its bytes and type intact',
    async () => {
      const report = await inPage('bytes', signIn(), 1_000, 'blob');

      expect(report.constructorName).toBe('[object Blob]');
      expect(report.blobType).toBe('application/octet-stream');
      expect(report.bytes).toEqual(Array.from({ length: 1_000 }, (_, i) => i % 256));
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'reads a binary body as an ArrayBuffer with its bytes intact',
    async () => {
      const report = await inPage('bytes', signIn(), 1_000, 'arraybuffer');

      expect(report.constructorName).toBe('[object ArrayBuffer]');
      expect(report.bytes).toEqual(Array.from({ length: 1_000 }, (_, i) => i % 256));
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    're-sends a FormData upload intact, file bytes and all, on the retry after a refresh',
    async () => {
      const session = signIn();
      api.expireAccessTokens();

      const echo: Echo = await inPage('upload', session, 'form-data');

      expect(api.stats.unauthorized).toBe(1);
      expect(api.stats.tokenRequests).toBe(1);
      expect(api.stats.apiRequests).toBe(2);
      expect(echo.headers['authorization']).not.toBe(`Bearer ${session.tokens.accessToken}`);
      expect(echo.contentType).toMatch(/^multipart\/form-data; ?boundary=/);
      // Parsed with Node's own multipart parser, from the bytes the server received.
      const form = await new Response(Buffer.from(echo.bodyBase64, 'base64'), {
        headers: { 'content-type': echo.contentType ?? '' },
      }).formData();
      expect(form.get('caption')).toBe('Zoë ✓ 1+1=2 & more');
      const file = form.get('file');
      expect(file).toBeInstanceOf(Blob);
      expect((file as File).name).toBe('every-byte.bin');
      expect((file as File).type).toBe('application/octet-stream');
      expect(Array.from(new Uint8Array(await (file as File).arrayBuffer()))).toEqual(
        Array.from({ length: 256 }, (_, i) => i),
      );
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    're-sends a URLSearchParams body intact on the retry after a refresh',
    async () => {
      const session = signIn();
      api.expireAccessTokens();

      const echo: Echo = await inPage('upload', session, 'url-search-params');

      expect(api.stats.unauthorized).toBe(1);
      expect(api.stats.tokenRequests).toBe(1);
      expect(echo.contentType).toBe('application/x-www-form-urlencoded;charset=UTF-8');
      const form = new URLSearchParams(echo.body);
      expect(form.get('caption')).toBe('Zoë ✓ 1+1=2 & more');
      expect(form.getAll('list')).toEqual(['a', 'b']);
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'sends the token to its own API but never to an origin that is not allowed',
    async () => {
      const session = signIn();

      success(await inPage('send', session, { url: '/api/echo' }));
      const foreign = failure(await inPage('send', session, { url: `${third.url}/api/echo` }));

      expect(api.stats.tokensSeen).toEqual([session.tokens.accessToken]);
      expect(third.stats.tokensSeen).withContext('what the third origin received').toEqual(['']);
      // Without a token the GET is a CORS "simple" request: the client adds no header that needs a preflight.
      expect(third.stats.preflights).toBe(0);
      // Its 401 is not ours to act on: no refresh at our token endpoint either.
      expect(foreign.status).toBe(401);
      expect(foreign.classes).toEqual(['RequestError', 'HttpError']);
      expect(api.stats.tokenRequests).toBe(0);
      expect(third.stats.tokenRequests).toBe(0);
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'loses the token when the API redirects to another origin (the browser drops Authorization)',
    async () => {
      const session = signIn();
      const target = `${third.url}/public/echo`;

      const { url, body } = success<Echo>(
        await inPage('send', session, { url: '/api/redirect', params: { to: target, status: 307 } }),
      );

      expect(api.stats.tokensSeen).toEqual([session.tokens.accessToken]);
      expect(url).toBe(target);
      expect(body.path).toBe('/public/echo');
      expect(body.headers['host']).toBe(new URL(third.url).host);
      expect(body.headers['authorization'])
        .withContext('Authorization as the third origin received it')
        .toBeUndefined();
      expect(JSON.stringify(body.headers)).not.toContain(session.tokens.accessToken);
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'fails a 200 whose body is not JSON with ResponseParseError, keeping the text',
    async () => {
      const session = signIn();

      const error = failure(await inPage('send', session, { url: '/api/text', params: { body: 'not json {' } }));

      expect(error.name).toBe('ResponseParseError');
      expect(error.classes).toEqual(['RequestError', 'ResponseParseError']);
      expect(error.status).toBe(200);
      expect(error.text).toBe('not json {');
      expectNoSecret(error, session);
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'fails with NetworkError when the connection is refused or dropped',
    async () => {
      const session = signIn();
      const gone = await startTestServer();
      const goneUrl = gone.url;
      await gone.close();

      const refused = failure(await inPage('send', session, { url: `${goneUrl}/public/echo` }));
      const dropped = failure(await inPage('send', session, { url: '/api/drop' }));

      for (const error of [refused, dropped]) {
        expect(error.name).toBe('NetworkError');
        expect(error.classes).toEqual(['RequestError', 'NetworkError']);
        expectNoSecret(error, session);
      }
      // One attempt from the client (retry is off in the page). Chromium itself sends a request once
      // more, unseen by the XHR, when a reused keep-alive connection closes without an answer, and
      // the CORS preflight has left one to reuse: so the dropped request reaches the server once or twice.
      expect(api.stats.tokensSeen.length).toBeGreaterThanOrEqual(1);
      expect(api.stats.tokensSeen.length).toBeLessThanOrEqual(2);
      expect(api.stats.tokensSeen.every((token) => token === session.tokens.accessToken)).toBeTrue();
      expect(api.stats.tokenRequests).toBe(0);
    },
    SPEC_TIMEOUT_MS,
  );
});
