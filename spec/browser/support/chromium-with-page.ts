import type http from 'node:http';
import type { Browser } from 'playwright-core';
import { LoopbackPageServer } from '../../support/loopback-page-server';
import { launchChromium } from './launch-chromium';

/** Headless Chromium and the loopback server of the pages it opens, started together. */
export interface ChromiumWithPage {
  readonly browser: Browser;
  readonly pageServer: LoopbackPageServer;
  /** Closes the browser, then the server; safe after a start that failed half-way. */
  close(): Promise<void>;
}

/** Serves `handler` on a free loopback port and launches Chromium to open its pages. */
export async function startChromiumWithPage(handler: http.RequestListener): Promise<ChromiumWithPage> {
  const pageServer = await LoopbackPageServer.start(handler);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await pageServer.close();
    throw error;
  }
  return {
    browser,
    pageServer,
    close: async () => {
      await browser.close();
      await pageServer.close();
    },
  };
}
