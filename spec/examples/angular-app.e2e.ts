import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../browser/support/launch-chromium';
import { LoopbackPageServer } from '../support/loopback-page-server';
import type * as Testing from '../../lib/testing/index';
import { staticAppHandler } from './static-app-handler';

// The production build of examples/angular, made from the packed tarball by
// `node scripts/build-example.mjs examples/angular` (npm run test:angular does both).
const EXAMPLE_DIR = path.join(__dirname, '..', '..', 'examples', 'angular');
const APP_DIR = path.join(EXAMPLE_DIR, 'dist', 'orders-app', 'browser');

// Bounds for a stuck browser or server, never a way to wait: every step waits on the page or the server.
const SPEC_TIMEOUT_MS = 30_000;
const SETUP_TIMEOUT_MS = 90_000;

describe('examples/angular: a real Angular CLI app, built from the packed tarball, in headless Chromium', () => {
  let app: LoopbackPageServer;
  let browser: Browser;
  let api: Testing.TestAuthServer;
  let startTestAuthServer: typeof Testing.startTestAuthServer;
  let page: Page;
  const uncaught: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(APP_DIR, 'index.html'))) {
      throw new Error(`${APP_DIR} has no build: run \`node scripts/build-example.mjs examples/angular\` first`);
    }
    // The kit as the example installed it, from the packed tarball: what an app's e2e tests import.
    ({ startTestAuthServer } = createRequire(path.join(EXAMPLE_DIR, 'package.json'))(
      'rxjs-auth-http/testing',
    ) as typeof Testing);
    app = await LoopbackPageServer.start(staticAppHandler(APP_DIR));
    browser = await launchChromium();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  // A fresh API (with its token endpoint) and a fresh page per spec: nothing carries over.
  beforeEach(async () => {
    api = await startTestAuthServer();
    uncaught.length = 0;
    page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => uncaught.push(error.message));
    await page.goto(`${app.url}?api=${encodeURIComponent(api.url)}`);
    await page.click('#log-in');
    await page.waitForSelector('#signed-in');
  }, SETUP_TIMEOUT_MS);

  afterEach(async () => {
    expect(uncaught).withContext('uncaught errors in the page').toEqual([]);
    await page.context().close();
    await api.close();
  });

  it(
    'sends ten parallel requests through an expired token with one refresh, and all of them succeed',
    async () => {
      api.expireAccessTokens();
      api.resetStats();
      await page.click('#load-orders');

      expect(await textOf('#orders')).toBe('Loaded 10 orders');
      expect(api.stats.tokenRequests).toBe(1);
      expect(api.stats.refreshTokenReuse).toBe(0);
      expect(api.stats.unauthorized).toBe(10);
      expect(api.stats.apiRequests).toBe(20);
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'sends the skipAuth() request without a token, while signed in',
    async () => {
      await page.click('#check-status');

      expect(await textOf('#status')).toBe('sent without a token');
      expect(api.stats.apiRequests).toBe(0);
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'shows the signed-out view with AuthRefreshError reason "rejected" when the token endpoint refuses the refresh',
    async () => {
      api.failTokenRequests('invalid_grant');
      api.expireAccessTokens();
      api.resetStats();
      await page.click('#load-orders');

      expect(await textOf('#signed-out #failure')).toBe('AuthRefreshError rejected');
      expect(api.stats.tokenRequests).toBe(1);
      expect(await page.evaluate(() => localStorage.getItem('auth'))).toBeNull();
    },
    SPEC_TIMEOUT_MS,
  );

  /** Waits for the element to appear (Angular renders asynchronously) and reads its text. */
  async function textOf(selector: string): Promise<string> {
    const element = await page.waitForSelector(selector);
    return ((await element.textContent()) ?? '').trim();
  }
});
