import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The system Chromium (Debian's `chromium` package). A browser is never downloaded. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

// Headless, no sandbox (CI runs as root), and nothing that reaches for the network or a profile,
// so the only traffic is the test's own loopback requests.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts headless Chromium with a fresh, temporary profile (Playwright creates and deletes it).
 * Fails loudly when it cannot: the browser specs are never skipped.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH. The browser specs cannot run without it.`,
    );
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
  } catch (cause) {
    throw new Error(
      `Chromium at ${CHROMIUM_PATH} did not start, so the browser specs cannot run: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}
