import path from 'node:path';
import { build } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { startChromiumWithPage, type ChromiumWithPage } from '../browser/support/chromium-with-page';
import { testPageHandler } from '../browser/support/test-page-server';
import { AuthEmulator, PROJECT_ID } from './support/auth-emulator';
import { IdTokenApi } from './support/id-token-api';
import type { FirebaseTab, TabSetup } from './page/firebase-tab';

// The real web SDK in headless Chromium (IndexedDB persistence, fetch, CORS to a loopback emulator
// and API), one page alone, then two tabs of one origin sharing the signed-in user and a
// WebLocksRefreshLock. Bounds for a stuck browser, never a way to wait: specs wait on events.
const SETUP_TIMEOUT_MS = 120_000;

type Scenario = keyof FirebaseTab;

describe('fromFirebaseAuth in headless Chromium', () => {
  let emulator: AuthEmulator;
  let api: IdTokenApi;
  let chromium: ChromiumWithPage | undefined;
  let context: BrowserContext;
  let users = 0;
  let email: string;
  let uid: string;
  const uncaught: string[] = [];

  beforeAll(async () => {
    emulator = await AuthEmulator.start();
    process.env['FIREBASE_AUTH_EMULATOR_HOST'] = emulator.emulatorHost;
    api = await IdTokenApi.start(401);
    const bundled = await build({
      entryPoints: [path.join(__dirname, 'page', 'firebase-tab.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const code = bundled.outputFiles[0]?.text;
    if (code === undefined) throw new Error('esbuild produced no output for the Firebase page');
    chromium = await startChromiumWithPage(testPageHandler({ code, inputs: [] }));
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await chromium?.close();
    await api?.close();
    await emulator?.close();
  });

  beforeEach(async () => {
    context = await chromium!.browser.newContext(); // fresh IndexedDB, locks and channels for each spec
    email = `tab-user-${++users}-${process.pid}@example.com`;
    uid = (await api.users.createUser({ email, password: 'a-password' })).uid;
    emulator.resetCounts();
    api.resetCounts();
  });

  afterEach(async () => {
    expect(uncaught).withContext('uncaught errors in the pages').toEqual([]);
    uncaught.length = 0;
    await context.close();
  });

  function inTab<K extends Scenario>(
    page: Page,
    name: K,
    ...args: Parameters<FirebaseTab[K]>
  ): Promise<Awaited<ReturnType<FirebaseTab[K]>>> {
    return page.evaluate(
      ({ name, args }) => {
        const tab = window.firebaseTab;
        if (!tab) throw new Error('the page lost its app');
        return (tab[name] as (...args: unknown[]) => unknown)(...args);
      },
      { name, args },
    ) as Promise<Awaited<ReturnType<FirebaseTab[K]>>>;
  }

  async function openTab(
    lockName: string | null,
    angular = false,
  ): Promise<{ page: Page; signedIn: boolean; first: string[] }> {
    const page = await context.newPage();
    page.on('pageerror', (error) => uncaught.push(error.message));
    await page.goto(chromium!.pageServer.url);
    const setup: TabSetup = { emulator: emulator.url, api: api.url, projectId: PROJECT_ID, lockName, angular };
    const { signedIn, first } = await inTab(page, 'open', setup);
    return { page, signedIn, first };
  }

  async function signedInPage(lockName: string | null = null, angular = false): Promise<Page> {
    const { page, first } = await openTab(lockName, angular);
    expect(first).withContext('a request sent before anyone signed in').toEqual(['http 401']);
    await inTab(page, 'signIn', email, 'a-password');
    expect(await inTab(page, 'burst', 1)).toEqual(['ok']);
    return page;
  }

  const pages = [
    { title: 'one page, with the library’s client', angular: false },
    { title: 'one page of a zoneless Angular app (HttpClient, provideAuthRefresh)', angular: true },
  ];
  for (const { title, angular } of pages) {
    describe(title, () => {
      it('refreshes once for a burst of 20 requests after a cut-off', async () => {
        const page = await signedInPage(null, angular);
        await api.cutOff();
        emulator.resetCounts();
        api.resetCounts();

        expect(await inTab(page, 'burst', 20)).toEqual(Array(20).fill('ok'));
        expect(emulator.tokenHits).toBe(1);
        expect(api.refusals).toBe(20);
        expect(await inTab(page, 'events')).toEqual(['refresh-start', 'refresh-success']);
      });

      it('ends the session once for a disabled user: every request rejected, signed out', async () => {
        const page = await signedInPage(null, angular);
        await api.users.updateUser(uid, { disabled: true });
        await api.cutOff();
        emulator.resetCounts();

        expect(await inTab(page, 'burst', 20)).toEqual(Array(20).fill('rejected'));
        expect(emulator.tokenHits).toBe(1);
        expect(await inTab(page, 'events')).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
        expect(await inTab(page, 'signedIn')).toBeFalse();
      });

      it('reports a Firebase sign-out as one logout', async () => {
        const page = await signedInPage(null, angular);
        await inTab(page, 'signOutOfFirebase');

        expect(await inTab(page, 'events', 1)).toEqual(['logout']);
        expect(await inTab(page, 'burst', 1)).toEqual(['http 401']);
      });

      it('uses a refresh the SDK made elsewhere at once: no request goes out with the old token', async () => {
        const page = await signedInPage(null, angular);
        await api.cutOff();
        emulator.resetCounts();
        api.resetCounts();

        await inTab(page, 'refreshElsewhere');

        expect(await inTab(page, 'burst', 20)).toEqual(Array(20).fill('ok'));
        expect(api.refusals).toBe(0);
        expect(emulator.tokenHits).toBe(1);
        expect(await inTab(page, 'events')).toEqual([]);
      });
    });
  }

  describe('two tabs sharing the signed-in user and a WebLocksRefreshLock', () => {
    let lockName: string;

    beforeEach(() => (lockName = `firebase-spec-${users}.refresh`));

    async function twoTabs(): Promise<[Page, Page]> {
      const first = await signedInPage(lockName);
      const second = await openTab(lockName);
      expect(second.signedIn).withContext('the second tab loads the user the first signed in').toBeTrue();
      // Sent before the SDK had read the user from IndexedDB: it waited for the token, no 401.
      expect(second.first).withContext('a request sent as the second tab opens').toEqual(['ok']);
      return [first, second.page];
    }

    it('serves bursts in both tabs after a cut-off with at most one refresh per tab', async () => {
      const [a, b] = await twoTabs();
      await api.cutOff();
      emulator.resetCounts();
      api.resetCounts();

      const [fromA, fromB] = await Promise.all([inTab(a, 'burst', 10), inTab(b, 'burst', 10)]);

      expect([...fromA, ...fromB]).toEqual(Array(20).fill('ok'));
      expect(emulator.tokenHits).toBeGreaterThanOrEqual(1);
      expect(emulator.tokenHits).toBeLessThanOrEqual(2);
      const starts = [...(await inTab(a, 'events')), ...(await inTab(b, 'events'))].filter(
        (type) => type === 'refresh-start',
      );
      expect(starts.length).toBe(emulator.tokenHits);
    });

    it('ends the session in both tabs when one finds the user disabled: one session end event each', async () => {
      const [a, b] = await twoTabs();
      await api.users.updateUser(uid, { disabled: true });
      await api.cutOff();
      emulator.resetCounts();

      expect(await inTab(a, 'burst', 10)).toEqual(Array(10).fill('rejected'));
      expect(await inTab(a, 'events')).toEqual(['refresh-start', 'refresh-failure', 'session-expired']);
      // The other tab hears it from the lock's channel, or from its own SDK, whichever comes first: once.
      const [ended] = await inTab(b, 'events', 1);
      expect(['session-expired', 'logout']).toContain(ended!);
      expect(await inTab(b, 'burst', 1)).toEqual(['http 401']);
      expect(await inTab(b, 'events')).toEqual([ended!]);
      expect(emulator.tokenHits).toBe(1);
    });

    it('reports a sign-out in one tab as one logout in each', async () => {
      const [a, b] = await twoTabs();

      await inTab(a, 'signOutOfFirebase');

      expect(await inTab(a, 'events', 1)).toEqual(['logout']);
      expect(await inTab(b, 'events', 1)).toEqual(['logout']);
      expect(await inTab(b, 'burst', 1)).toEqual(['http 401']);
      expect(await inTab(b, 'events')).toEqual(['logout']);
    });
  });
});
