// Clicks through the recommender API, as a site makes them: the worker picks
// what runs them (ready's backend, kernel and reason: `auto` measures), and
// each click is timed on the page from rec.click() to its answer: the rank
// before adapting, the adaptation, the new ranking pushed and the parameters
// stored in IndexedDB. On "webgpu" the WGSL kernel's read-backs are counted.
import type { ReadyInfo } from '../../src/index';
import { serveArtifact } from '../../tests/browser/support/artifact-route';
import { startEngine } from '../../tests/browser/support/engine';
import { startHarness } from '../../tests/browser/support/harness';
import type {} from '../../tests/browser/pages/engine-page';
import type { BenchCatalog } from '../catalogs';
import { clickCases, summary } from '../stats';

export interface WorkerClickRow {
  /** What the page asked for. */
  readonly preference: string;
  readonly catalog: number;
  /** What the worker chose, and what runs its clicks there. */
  readonly backend: string;
  readonly kernel: string;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly n: number;
  /** GPU read-backs per click (the WGSL kernel), else null. */
  readonly readbacks_per_click: number | null;
  /** ready's reason: the ms per click `auto` measured on each backend it tried. */
  readonly reason: string;
  /** ready's timings, compact: "wasm 20.1 ms; webgpu 35.0 ms; webgl skipped: …". */
  readonly timings: string;
}

/** Times `clicks` worker clicks (after one warm-up click) per catalog and backend preference. */
export async function workerClicks(catalogs: readonly BenchCatalog[], preferences: readonly string[], clicks: number, log: (line: string) => void): Promise<WorkerClickRow[]> {
  const harness = await startHarness();
  const rows: WorkerClickRow[] = [];
  try {
    for (const catalog of catalogs) {
      for (const preference of preferences) {
        const { context, page } = await harness.newPage();
        try {
          const modelUrl = await serveArtifact(context, `worker-${catalog.items}`, catalog.files);
          const ready = (await startEngine(page, { modelUrl, backend: preference as 'auto', dbName: `bench-${preference}` })) as ReadyInfo;
          const catalogIds = (JSON.parse(new TextDecoder().decode(catalog.files['catalog.json'])) as { items: { id: string }[] }).items.map((item) => item.id);
          const ids = clickCases(catalog.items, clicks + 1, 1)[0]!.map((i) => catalogIds[i]!);
          const out = await page.evaluate(async (list) => {
            const times: number[] = [];
            const gpu0 = (await window.debugInfo(window.rec)).gpu;
            for (const [i, id] of list.entries()) {
              const t0 = performance.now();
              await window.rec.click(id);
              if (i > 0) times.push(performance.now() - t0);
            }
            const gpu1 = (await window.debugInfo(window.rec)).gpu;
            return { times, readbacks: gpu0 && gpu1 ? (gpu1.readbacks - gpu0.readbacks) / list.length : null };
          }, ids);
          const row = { preference, catalog: catalog.items, backend: ready.backend, kernel: ready.kernel, ...summary(out.times), readbacks_per_click: out.readbacks, reason: ready.reason, timings: ready.timings.map((t) => `${t.name} ${t.ms === null ? t.error : `${t.ms.toFixed(1)} ms`}`).join('; ') };
          rows.push(row);
          log(`worker clicks ${preference} at ${catalog.items}: ${ready.backend}/${ready.kernel} p50 ${row.p50_ms.toFixed(1)} ms (${ready.reason})`);
        } catch (error) {
          log(`worker clicks ${preference} at ${catalog.items} failed: ${(error as Error).message}`);
        } finally {
          await context.close();
        }
      }
    }
  } finally {
    await harness.close();
  }
  return rows;
}
