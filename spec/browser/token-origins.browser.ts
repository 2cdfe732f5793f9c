import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { LoopbackPageServer } from '../support/loopback-page-server';
import type { Sent } from './page/token-origins-page';
import { launchChromium } from './support/launch-chromium';
import { bundleTestPage } from './support/test-page-server';

// The forms that leaked: a string test called them relative, Chromium sends them to another
// origin. Each is requested from a page through the Angular adapter and through authInterceptor
// over rxjs/ajax; the foreign server's own log says what arrived and with which headers. It
// answers every CORS preflight with "yes, Authorization too", so a token, had one been attached,
// would have reached it.

const SETUP_TIMEOUT_MS = 90_000;
const TOKEN = 'page-token-must-stay-home';

interface Arrival {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
}

/** A foreign origin that logs every request and lets any origin send it any header. */
async function startForeign(): Promise<{ host: string; origin: string; log: Arrival[]; close(): Promise<void> }> {
  const log: Arrival[] = [];
  const server = http.createServer((req, res) => {
    log.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    res
      .writeHead(req.method === 'OPTIONS' ? 204 : 200, {
        'access-control-allow-origin': req.headers.origin ?? '*',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
        'access-control-allow-methods': 'GET',
      })
      .end(req.method === 'OPTIONS' ? undefined : 'foreign');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // "localhost", not the page's 127.0.0.1: another host as well as another port.
  const host = `localhost:${(server.address() as AddressInfo).port}`;
  return {
    host,
    origin: `http://${host}`,
    log,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a token never reaches a foreign origin from a page, whatever the URL looks like (Chromium)', () => {
  let pageServer: LoopbackPageServer;
  let foreign: Awaited<ReturnType<typeof startForeign>>;
  let browser: Browser;
  let page: Page;
  const ownLog: Arrival[] = [];
  const uncaught: string[] = [];

  beforeAll(async () => {
    const bundle = await bundleTestPage('token-origins-page.ts');
    foreign = await startForeign();
    pageServer = await LoopbackPageServer.start((req, res) => {
      if (req.url === '/') {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end('<!doctype html><meta charset="utf-8"><title>token origins</title><script src="/page.js"></script>');
      } else if (req.url === '/page.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle.code);
      } else {
        ownLog.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('own');
      }
    });
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => uncaught.push(error.message));
    await page.goto(pageServer.url);
    await page.waitForFunction(() => window.tokenOrigins !== undefined);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([pageServer?.close(), foreign?.close()]);
  });

  afterEach(() => expect(uncaught).withContext('uncaught errors in the page').toEqual([]));

  const leakingForms = (host: string): string[] => [
    `/\\${host}/backslash-after-slash`,
    `\\\\${host}/two-backslashes`,
    ` //${host}/leading-space`,
    `\u0001//${host}/leading-c0-control`,
    `\n//${host}/leading-newline`,
    `/\t/${host}/tab-between-slashes`,
    `ht\ttp://${host}/tab-in-scheme`,
    `http://127.0.0.1@${host}/userinfo`,
    `HTTP://${host.toUpperCase()}/upper-case`,
  ];

  for (const via of ['viaAngular', 'viaAjax'] as const) {
    it(`${via === 'viaAngular' ? 'the Angular adapter' : 'authInterceptor over rxjs/ajax'}: the foreign server gets every form, none with the token; the page's own origin gets it`, async () => {
      const forms = leakingForms(foreign.host);
      // Chromium's own parser, asked in the page, sends every one of them abroad.
      const resolved = await page.evaluate((urls) => window.tokenOrigins!.resolvedOrigins(urls), forms);
      expect(resolved).toEqual(forms.map(() => foreign.origin));
      foreign.log.length = 0;
      ownLog.length = 0;

      const sent: Sent[] = await page.evaluate(({ via, token, urls }) => window.tokenOrigins![via](token, urls), {
        via,
        token: TOKEN,
        urls: [...forms, '/own/relative', 'own/relative-to-base'],
      });

      expect(sent).toEqual([...forms.map(() => 'answered' as const), 'answered', 'answered']);
      const gets = foreign.log.filter((arrival) => arrival.method === 'GET');
      expect(gets.map((arrival) => arrival.url).sort()).toEqual(
        forms.map((form) => new URL(form, 'http://x').pathname).sort(),
      );
      expect(foreign.log.filter((arrival) => arrival.authorization !== undefined)).toEqual([]);
      expect(JSON.stringify(foreign.log)).not.toContain(TOKEN);
      // The control: the same session does send the token where it belongs.
      expect(ownLog.map((arrival) => [arrival.url, arrival.authorization])).toEqual([
        ['/own/relative', `Bearer ${TOKEN}`],
        ['/own/relative-to-base', `Bearer ${TOKEN}`],
      ]);
    });
  }
});
