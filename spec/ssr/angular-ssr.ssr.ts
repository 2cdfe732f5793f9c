import type { Browser } from 'playwright-core';
import { launchChromium } from '../browser/support/launch-chromium';
import { buildExample, SsrServer } from './example-app';
import { TwoUserApiServer, type SessionTokens } from './two-user-api-server';

// examples/angular-ssr, an `ng new --ssr` app with the Angular Node app engine, built against the
// packed library and rendering for two users at once against a loopback API with rotation.
const USERS = ['alice', 'bruno'] as const;
const BUILD_TIMEOUT = 15 * 60_000;
const RENDER_TIMEOUT = 3 * 60_000;

interface Page {
  readonly user: string;
  readonly sent: SessionTokens;
  readonly status: number;
  readonly html: string;
  readonly setCookies: readonly string[];
}

/** The cookie the app reads its tokens from (examples/angular-ssr/src/app/token-cookie.ts). */
function authCookie(tokens: SessionTokens): string {
  return `auth=${encodeURIComponent(JSON.stringify(tokens))}`;
}

function tokensOfSetCookie(setCookie: string): SessionTokens | null {
  const value = /^auth=([^;]*)/.exec(setCookie)?.[1];
  return value ? (JSON.parse(decodeURIComponent(value)) as SessionTokens) : null;
}

function otherUser(user: string): string {
  return USERS.find((name) => name !== user) ?? '';
}

/** Renders `count` pages at once, users taking turns, each with a session whose access token has expired. */
async function renderInterleaved(api: TwoUserApiServer, ssr: SsrServer, count: number): Promise<Page[]> {
  const sessions = Array.from({ length: count }, (_, i) => {
    const user = USERS[i % USERS.length] ?? 'alice';
    return { user, sent: api.expiredSession(user) };
  });
  return Promise.all(
    sessions.map(async ({ user, sent }) => {
      const response = await fetch(`${ssr.url}/`, { headers: { cookie: authCookie(sent) } });
      return {
        user,
        sent,
        status: response.status,
        html: await response.text(),
        setCookies: response.headers.getSetCookie(),
      };
    }),
  );
}

describe('examples/angular-ssr: two users rendered at once on one Node server', () => {
  let api: TwoUserApiServer;
  let ssr: SsrServer;

  beforeAll(async () => {
    await buildExample();
    api = await TwoUserApiServer.start();
    ssr = await SsrServer.start({ API_ORIGIN: api.url });
  }, BUILD_TIMEOUT);

  afterAll(async () => {
    await ssr?.stop();
    await api?.close();
  });

  it(
    '20 interleaved renders with expired tokens: each page has its own user data, one refresh per render, rotated tokens written back',
    async () => {
      const pages = await renderInterleaved(api, ssr, 20);

      for (const page of pages) {
        expect(page.status).withContext(page.user).toBe(200);
        expect(page.html).toContain(`<h1 id="user">${page.user}</h1>`);
        expect(page.html).toContain(`${page.user}-order-1`);
        expect(page.html).not.toContain(otherUser(page.user));
        // One refresh for the render's two API calls, with this render's own refresh token.
        expect(api.refreshCalls.filter((call) => call.refreshToken === page.sent.refreshToken)).toEqual([
          { refreshToken: page.sent.refreshToken, outcome: 'rotated' },
        ]);
        // The rotated pair goes back to the browser, and belongs to this render's user.
        const written = page.setCookies.map(tokensOfSetCookie).filter((tokens) => tokens !== null);
        expect(written.length).withContext('Set-Cookie with the rotated tokens').toBe(1);
        expect(api.userOf(written[0]?.refreshToken ?? '')).toBe(page.user);
        expect(api.userOf(written[0]?.accessToken ?? '')).toBe(page.user);
      }
      expect(api.refreshCalls.length).toBe(20);
      // Every API call that got data carried a live token; per user, two calls for each of its 10 renders.
      for (const user of USERS)
        expect(api.apiCalls.filter((call) => call.status === 200 && call.user === user).length).toBe(20);
      expect(api.apiCalls.every((call) => call.status === 200 || call.status === 401)).toBe(true);
      expect(ssr.log).not.toMatch(/error/i);
      const count = (test: (call: (typeof api.apiCalls)[number]) => boolean): number =>
        api.apiCalls.filter(test).length;
      console.log(
        `ssr figures: ${pages.length} renders; API calls ${api.apiCalls.length} (200: ${USERS.map((user) => `${user} ${count((c) => c.status === 200 && c.user === user)}`).join(', ')}; 401: ${count((c) => c.status === 401)}); ` +
          `refreshes ${api.refreshCalls.length} (reused ${api.refreshCalls.filter((call) => call.outcome !== 'rotated').length}); Set-Cookie ${pages.filter((page) => page.setCookies.length > 0).length}`,
      );
    },
    RENDER_TIMEOUT,
  );

  describe('in Chromium', () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchChromium();
    }, RENDER_TIMEOUT);

    afterAll(async () => {
      await browser?.close();
    });

    it(
      'hydrates with the tokens the server rotated: no 401, no second refresh, no console error',
      async () => {
        const sent = api.expiredSession('alice');
        const context = await browser.newContext();
        await context.addCookies([{ name: 'auth', value: encodeURIComponent(JSON.stringify(sent)), url: ssr.url }]);
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (message) => void (message.type() === 'error' && problems.push(message.text())));
        page.on('pageerror', (error) => problems.push(error.message));
        const before = { calls: api.apiCalls.length, refreshes: api.refreshCalls.length };

        await page.goto(`${ssr.url}/`);
        await page.waitForSelector('main[data-rendered-in="browser"] #orders li');
        await api.waitForCalls(2, (call) => call.from === 'browser' && call.user === 'alice');
        const fromBrowser = api.apiCalls.slice(before.calls).filter((call) => call.from === 'browser');
        const cookie = (await context.cookies(ssr.url)).find((each) => each.name === 'auth');
        const held = tokensOfSetCookie(`auth=${cookie?.value ?? ''}`);

        expect(api.refreshCalls.slice(before.refreshes)).toEqual([
          { refreshToken: sent.refreshToken, outcome: 'rotated' },
        ]);
        expect(fromBrowser.map((call) => [call.path, call.status, call.user]).sort()).toEqual([
          ['/api/orders', 200, 'alice'],
          ['/api/profile', 200, 'alice'],
        ]);
        expect(api.userOf(held?.refreshToken ?? '')).toBe('alice');
        expect(await page.textContent('#user')).toBe('alice');
        expect(problems).toEqual([]);
        await context.close();
      },
      RENDER_TIMEOUT,
    );
  });

  describe('with the mistake the library refuses: one token store at module scope', () => {
    let mistaken: SsrServer;

    beforeAll(async () => {
      mistaken = await SsrServer.start({ API_ORIGIN: api.url, SHARED_STORE_MISTAKE: '1' });
    }, RENDER_TIMEOUT);

    afterAll(async () => {
      await mistaken?.stop();
    });

    it(
      "fails the renders' API calls with SharedAcrossAppsError instead of showing one user another's data",
      async () => {
        const before = api.apiCalls.length;
        const pages = await renderInterleaved(api, mistaken, 6);
        const refused = pages.filter((page) => page.html.includes('SharedAcrossAppsError'));

        for (const page of pages) {
          expect(page.status).toBe(200);
          expect(page.html).not.toContain(otherUser(page.user));
        }
        expect(refused.length).toBeGreaterThanOrEqual(5);
        // What did reach the API, before the second render claimed the store, was the first user's own.
        const served = api.apiCalls.slice(before).filter((call) => call.status === 200);
        expect(new Set(served.map((call) => call.user)).size).toBeLessThanOrEqual(1);
        console.log(
          `ssr figures, module-scope store: ${refused.length} of ${pages.length} pages refused, ${served.length} API calls served`,
        );
      },
      RENDER_TIMEOUT,
    );
  });
});
