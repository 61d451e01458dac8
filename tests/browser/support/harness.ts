import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { startDevServer, type DevServer } from './server';

export interface Harness {
  readonly server: DevServer;
  readonly browser: Browser;
  /** A fresh context (own IndexedDB) with a page on the blank test page. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** The blank page every test starts from; modules are imported into it. */
export const BLANK_PAGE = '/tests/browser/pages/blank.html';

/** Starts the Vite dev server and Chromium; close() stops both. */
export async function startHarness(options: { webgpu?: boolean } = {}): Promise<Harness> {
  const server = await startDevServer();
  let browser: Browser;
  try {
    browser = await launchChromium(options);
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    server,
    browser,
    async newPage() {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') console.error(`[page console] ${msg.text()}`);
      });
      await page.goto(server.url + BLANK_PAGE);
      return { context, page };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
