// The production build of the cold-start page (bench/browser/cold-start.html:
// the package as a site ships it), served by `vite preview` on localhost, and
// the Chromium that opens it: what cold starts and the artifact bench measure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { build, preview } from 'vite';
import { launchChromium } from '../../tests/browser/support/chromium';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ProductionSite {
  /** The built site's folder (a temporary one, removed by close()). */
  readonly dir: string;
  /** The cold-start page's URL (add `?backend=` or `?model=`). */
  readonly page: string;
  readonly browser: Browser;
  /** Closes Chromium and the server, and removes the folder. */
  close(): Promise<void>;
}

/** Headers that leave a page not cross-origin isolated (what a site without vite.config.ts's headers serves). */
const NOT_ISOLATED = { 'Cross-Origin-Opener-Policy': 'unsafe-none', 'Cross-Origin-Embedder-Policy': 'unsafe-none' };

/**
 * Builds the cold-start page into a temporary folder, lets `populate(dir)`
 * add files the site serves (e.g. a model under models/), then serves it and
 * launches Chromium (WebGPU on; see tests/browser/support/chromium.ts).
 * `isolated` (default true, as vite.config.ts serves the site): the page is
 * cross-origin isolated, so the worker may sweep with helper threads.
 */
export async function productionSite(populate?: (dir: string) => void | Promise<void>, options: { readonly isolated?: boolean } = {}): Promise<ProductionSite> {
  const dir = mkdtempSync(join(tmpdir(), 'localrec-site-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  let server: Awaited<ReturnType<typeof preview>> | undefined;
  try {
    const configFile = join(ROOT, 'vite.config.ts');
    await build({ root: ROOT, configFile, logLevel: 'warn', build: { outDir: dir, emptyOutDir: true, rollupOptions: { input: join(ROOT, 'bench/browser/cold-start.html') } } });
    await populate?.(dir);
    server = await preview({ root: ROOT, configFile, logLevel: 'warn', build: { outDir: dir }, preview: { host: '127.0.0.1', port: 0, open: false, ...(options.isolated === false ? { headers: NOT_ISOLATED } : {}) } });
    const address = server.httpServer.address();
    if (!address || typeof address === 'string') throw new Error(`vite preview gave no TCP address (${String(address)}).`);
    const browser = await launchChromium();
    const running = server;
    return {
      dir,
      page: `http://127.0.0.1:${address.port}/bench/browser/cold-start.html`,
      browser,
      async close() {
        await browser.close();
        await running.close();
        remove();
      },
    };
  } catch (error) {
    await server?.close();
    remove();
    throw error;
  }
}
