import { describe, expect, it } from 'vitest';
import { serveArtifact } from './support/artifact-route';
import { startEngine } from './support/engine';
import { useTinySuite } from './support/tiny-suite';
import { watchWorkerHeap } from './support/worker-heap';
import type {} from './pages/engine-page';

const suite = useTinySuite();

// SOAK_WINDOWS / SOAK_CLICKS shrink the run while working on it; the suite runs the full size.
const WINDOWS = Number(process.env.SOAK_WINDOWS ?? 10);
const CLICKS_PER_WINDOW = Number(process.env.SOAK_CLICKS ?? 1000);
/** Clicks sent at once: a burst, as a fast visitor (or a replay) makes; each supersedes the one before. */
const BURST = 50;

/** Events in database `name`, counted with the raw IndexedDB API (not through the worker). */
function countStored(name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const count = open.result.transaction('events').objectStore('events').count();
      count.onsuccess = () => {
        open.result.close();
        resolve(count.result);
      };
    };
  });
}

/**
 * One window of clicks. The visitor's taste drifts: window `w` clicks only the
 * items of tag w mod 3 among i0..i29 (the fixture's tag of item i is i mod 3).
 * `lead` is how far that tag's items score above the other clicked ones.
 */
async function clickWindow([w, clicks, burst]: [number, number, number]) {
  const lead = async () => {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const clicked = (await window.rec.recommend({ count: 60 })).filter((i) => Number(i.id.slice(1)) < 30);
    const inTag = (i: { id: string }) => Number(i.id.slice(1)) % 3 === w % 3;
    return mean(clicked.filter(inTag).map((i) => i.score)) - mean(clicked.filter((i) => !inTag(i)).map((i) => i.score));
  };
  const tensorsBefore = (await window.debugInfo(window.rec)).numTensors;
  const leadBefore = await lead();
  for (let b = 0; b < clicks / burst; b++) {
    await Promise.all(Array.from({ length: burst }, (_, k) => window.rec.click(`i${3 * ((b * burst + k) % 10) + (w % 3)}`)));
  }
  const tensorsAfter = (await window.debugInfo(window.rec)).numTensors;
  const leadAfter = await lead();
  // The test page's own logs would grow with every click; the engine keeps nothing like them.
  window.log.adapt.length = 0;
  window.log.ranking.length = 0;
  return { tensorsBefore, tensorsAfter, leadBefore, leadAfter };
}

/** Terminates the worker and waits for the restarted one; returns what it restored. */
async function restart() {
  const restarted = new Promise<number>((resolve) => window.rec.on('restart', (e) => resolve(e.info.storedEvents)));
  window.currentWorker(window.rec).terminate();
  return restarted;
}

describe('soak', () => {
  it(`${WINDOWS * CLICKS_PER_WINDOW} clicks, the worker restarted every ${CLICKS_PER_WINDOW}: no event lost, tensors and memory flat, still adapting`, async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    const info = await startEngine(page, { modelUrl, backend: 'wasm', dbName: 'soak' });
    expect(info.backend).toBe('wasm');
    const cdp = await context.newCDPSession(page);
    const workerHeap = await watchWorkerHeap(context, page);
    const rows: ({ window: number; seconds: number; stored: number; restored: number; workerMB: number; pageMB: number } & Awaited<ReturnType<typeof clickWindow>>)[] = [];
    for (let w = 0; w < WINDOWS; w++) {
      const t0 = Date.now();
      const clicked = await page.evaluate(clickWindow, [w, CLICKS_PER_WINDOW, BURST] as [number, number, number]);
      const seconds = (Date.now() - t0) / 1000;
      const stored = await page.evaluate(countStored, 'soak');
      const workerMB = (await workerHeap.usedBytes()) / 2 ** 20;
      const restored = await page.evaluate(restart);
      await cdp.send('HeapProfiler.collectGarbage');
      const pageMB = (await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20;
      rows.push({ window: w, seconds, stored, restored, ...clicked, workerMB, pageMB });
    }
    console.table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number.isInteger(v) ? v : Number(v.toFixed(3))]))));

    rows.forEach((r, w) => {
      // Zero events lost: exactly every click, in IndexedDB and in what each restarted worker restored.
      expect(r.stored).toBe((w + 1) * CLICKS_PER_WINDOW);
      expect(r.restored).toBe(r.stored);
      // No tensor leaks within a window, and every worker holds the same tensors.
      expect(r.tensorsAfter).toBe(r.tensorsBefore);
      expect(r.tensorsBefore).toBe(rows[0]!.tensorsBefore);
      // Still adapting, after every restart: the window's tag gains on the others.
      expect(r.leadAfter, `window ${w}`).toBeGreaterThan(r.leadBefore);
    });
    // Memory stays flat, first window against last (generous bounds: measured +1.0 MB and +0.05 MB).
    // The worker's heap may grow only with the events it holds (~120 B each, 9,000 more); the page's hardly.
    expect(rows.at(-1)!.workerMB - rows[0]!.workerMB).toBeLessThan(4);
    expect(rows.at(-1)!.pageMB - rows[0]!.pageMB).toBeLessThan(1);
    await context.close();
  }, 900_000);
});
