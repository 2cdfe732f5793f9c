import type { BrowserContext, Page } from 'playwright-core';
import type { KeyReport } from './page/dpop-key-page';
import { startChromiumWithPage, type ChromiumWithPage } from './support/chromium-with-page';
import { bundleTestPage, testPageHandler } from './support/test-page-server';

// Bounds for a stuck browser, never a way to wait: every step waits on the page's own answer.
const SETUP_TIMEOUT_MS = 90_000;
const SPEC_TIMEOUT_MS = 20_000;

describe('the DPoP key in headless Chromium (IndexedDB, the default key store in browsers)', () => {
  let chromium: ChromiumWithPage | undefined;
  let context: BrowserContext;

  beforeAll(async () => {
    chromium = await startChromiumWithPage(testPageHandler(await bundleTestPage('dpop-key-page.ts')));
  }, SETUP_TIMEOUT_MS);

  afterAll(() => chromium?.close());

  // A fresh context per spec: its own empty IndexedDB, as a new browser profile has.
  beforeEach(async () => {
    context = await chromium!.browser.newContext();
  });
  afterEach(() => context.close());

  async function openTab(): Promise<Page> {
    const page = await context.newPage();
    await page.goto(chromium!.pageServer.url);
    return page;
  }

  const keyReport = (page: Page, instances = 1): Promise<KeyReport> =>
    page.evaluate((count) => {
      const suite = window.dpopKeyPage;
      if (!suite) throw new Error('the DPoP key page did not load');
      return suite.keyReport(count);
    }, instances);

  it(
    'keeps one non-extractable key across a reload',
    async () => {
      const page = await openTab();
      const first = await keyReport(page);
      await page.reload();
      const afterReload = await keyReport(page);
      expect(first.extractable).toBeFalse();
      expect(first.thumbprints.length).toBe(1);
      expect(afterReload).toEqual(first);
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'gives two tabs that start together one key, however many logins race in each',
    async () => {
      const [one, two] = await Promise.all([openTab(), openTab()]);
      const [first, second] = await Promise.all([keyReport(one, 4), keyReport(two, 4)]);
      const all = [...first.thumbprints, ...second.thumbprints];
      expect(all.length).toBe(8);
      expect(new Set(all).size).toBe(1);
      expect((await keyReport(await openTab())).thumbprints).toEqual(first.thumbprints.slice(0, 1));
    },
    SPEC_TIMEOUT_MS,
  );
});
