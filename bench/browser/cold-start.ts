// Cold start: navigation to the first ranked list, on the production build
// served from localhost. Uncached: a fresh browser context (no HTTP cache, no
// IndexedDB). Cached: the same context reloaded, the artifact in IndexedDB.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { launchChromium } from '../../tests/browser/support/chromium';
import { percentile } from '../stats';
import type { ColdStart } from './cold-start-page';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ColdStartRow {
  backend: string;
  artifact: 'uncached' | 'cached';
  chosen: string;
  p50_ms: number;
  max_ms: number;
  n: number;
}

/** Builds cold-start.html, serves it, and times `reps` cold and cached starts per backend preference. */
export async function coldStarts(backends: readonly string[], reps: number, log: (line: string) => void): Promise<ColdStartRow[]> {
  const outDir = mkdtempSync(join(tmpdir(), 'localrec-cold-'));
  await build({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, rollupOptions: { input: join(ROOT, 'bench/browser/cold-start.html') } },
  });
  const server = await preview({ root: ROOT, configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, open: false } });
  const address = server.httpServer.address();
  const browser = await launchChromium();
  const rows: ColdStartRow[] = [];
  try {
    if (!address || typeof address === 'string') throw new Error(`vite preview gave no TCP address (${String(address)}).`);
    const url = `http://127.0.0.1:${address.port}/bench/browser/cold-start.html`;
    for (const backend of backends) {
      const times = { uncached: [] as number[], cached: [] as number[] };
      let chosen = '';
      for (let r = 0; r < reps; r++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        for (const artifact of ['uncached', 'cached'] as const) {
          if (artifact === 'uncached') await page.goto(`${url}?backend=${backend}`);
          else await page.reload();
          await page.waitForFunction(() => window.coldStart !== undefined, null, { timeout: 120_000 });
          const result = (await page.evaluate(() => window.coldStart)) as ColdStart | { error: string };
          if ('error' in result) throw new Error(`Cold start on "${backend}" failed: ${result.error}`);
          if (result.info.fromCache !== (artifact === 'cached')) throw new Error(`Expected the ${artifact} artifact, got fromCache ${result.info.fromCache}.`);
          times[artifact].push(result.firstRankingMs);
          chosen = result.info.backend;
        }
        await context.close();
      }
      for (const artifact of ['uncached', 'cached'] as const) {
        const t = times[artifact];
        rows.push({ backend, artifact, chosen, p50_ms: percentile(t, 0.5), max_ms: Math.max(...t), n: t.length });
      }
      log(`cold start ${backend} (→ ${chosen}): uncached ${percentile(times.uncached, 0.5).toFixed(0)} ms, cached ${percentile(times.cached, 0.5).toFixed(0)} ms`);
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  }
  return rows;
}
