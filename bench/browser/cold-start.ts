// Cold start: navigation to the first ranked list, on the production build
// served from localhost. Uncached: a fresh browser context (no HTTP cache, no
// IndexedDB). Cached: the same context reloaded, the artifact in IndexedDB.
import type { Page } from 'playwright-core';
import { percentile } from '../stats';
import { productionSite } from '../support/site';
import type { ColdStart } from './cold-start-page';

export interface ColdStartRow {
  backend: string;
  artifact: 'uncached' | 'cached';
  chosen: string;
  p50_ms: number;
  max_ms: number;
  n: number;
}

/**
 * One start of the cold-start page in `page`: uncached navigates to `url` (a
 * fresh context has nothing cached), cached reloads the page already there.
 * Throws the page's error when the start failed.
 */
export async function coldStart(page: Page, artifact: 'uncached' | 'cached', url: string, timeoutMs: number): Promise<ColdStart> {
  if (artifact === 'uncached') await page.goto(url);
  else await page.reload();
  await page.waitForFunction(() => window.coldStart !== undefined, null, { timeout: timeoutMs, polling: 200 });
  const result = (await page.evaluate(() => window.coldStart)) as ColdStart | { error: string };
  if ('error' in result) throw new Error(`Cold start of ${url} (${artifact}) failed: ${result.error}`);
  return result;
}

/** Builds cold-start.html, serves it, and times `reps` cold and cached starts per backend preference. */
export async function coldStarts(backends: readonly string[], reps: number, log: (line: string) => void): Promise<ColdStartRow[]> {
  const site = await productionSite();
  const { browser, page: url } = site;
  const rows: ColdStartRow[] = [];
  try {
    for (const backend of backends) {
      const times = { uncached: [] as number[], cached: [] as number[] };
      let chosen = '';
      for (let r = 0; r < reps; r++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        for (const artifact of ['uncached', 'cached'] as const) {
          const result = await coldStart(page, artifact, `${url}?backend=${backend}`, 120_000);
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
    await site.close();
  }
  return rows;
}
