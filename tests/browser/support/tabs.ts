import type { BrowserContext, Page } from 'playwright-core';
import { BLANK_PAGE } from './harness';

/**
 * Another tab of the same browser context: it shares IndexedDB and
 * BroadcastChannel with the context's other pages, as tabs of one site do.
 */
export async function openTab(context: BrowserContext, serverUrl: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(serverUrl + BLANK_PAGE);
  return page;
}
