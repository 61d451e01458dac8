import { describe, expect, it } from 'vitest';
import { serveArtifact } from './support/artifact-route';
import { startEngine } from './support/engine';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

const suite = useTinySuite();

/** The real worker with a hook to crash it or make it close itself. */
const CRASHABLE = '/tests/browser/pages/crashable-worker.ts';

async function engine(dbName: string) {
  const { context, page } = await suite.harness.newPage();
  const modelUrl = await serveArtifact(context, 'tiny', suite.files);
  const info = await startEngine(page, { modelUrl, backend: 'cpu', dbName, workerUrl: CRASHABLE });
  return { context, page, info };
}

/** Clicks, then returns the top 10 (scores included). */
async function clickThenTop(ids: string[]) {
  for (const id of ids) await window.rec.click(id);
  return window.rec.recommend({ count: 10 });
}

describe('worker lifecycle: crash, terminate, close', () => {
  it('restarts a terminated worker, restoring the visitor from IndexedDB; calls made meanwhile wait for it', async () => {
    const { context, page } = await engine('terminate');
    const before = await page.evaluate(clickThenTop, ['i2', 'i5', 'i8']);
    const out = await page.evaluate(async () => {
      const old = window.currentWorker(window.rec);
      const restarted = new Promise((resolve) => window.rec.on('restart', resolve));
      old.terminate();
      // Sent before the page has noticed, so to the dead worker: it is sent again to the new one, not left hanging.
      const top = await window.rec.recommend({ count: 10 });
      await restarted;
      return { top, replaced: window.currentWorker(window.rec) !== old, restart: window.log.restart[0]! };
    });
    expect(out.replaced).toBe(true);
    expect(out.restart).toMatchObject({ restarts: 1, info: { storedEvents: 3, personal: true, fromCache: true, backend: 'cpu' } });
    expect(out.restart.reason).toContain('terminated');
    expect(out.top.map((i) => i.id)).toEqual(before.map((i) => i.id));
    out.top.forEach((item, i) => expect(item.score).toBeCloseTo(before[i]!.score, 5));
    const after = await page.evaluate(async () => {
      const click = await window.rec.click('i11');
      return { superseded: click.superseded, events: (await window.rec.exportData()).events.map((e) => e.itemId) };
    });
    expect(after).toEqual({ superseded: false, events: ['i2', 'i5', 'i8', 'i11'] });
    await context.close();
  });

  it('notices an uncaught error and a worker that closes itself, and restarts each time', async () => {
    const { context, page } = await engine('crash');
    await page.evaluate(clickThenTop, ['i1', 'i4']);
    for (const how of ['throw', 'close'] as const) {
      const restart = await page.evaluate(async (how) => {
        const restarted = new Promise<unknown>((resolve) => window.rec.on('restart', resolve));
        window.currentWorker(window.rec).postMessage({ kind: 'test-crash', how });
        await restarted;
        return window.log.restart.at(-1)!;
      }, how);
      expect(restart.info).toMatchObject({ storedEvents: 2, personal: true });
      expect(restart.reason).toContain(how === 'throw' ? 'test crash: an uncaught error in the worker' : 'closed itself');
    }
    expect(await page.evaluate(() => window.log.restart.map((r) => r.restarts))).toEqual([1, 2]);
    expect((await page.evaluate(() => window.rec.click('i7'))).superseded).toBe(false);
    await context.close();
  });

  it('a worker stuck in an endless loop is taken for hung once calls wait on it in silence, and restarted', async () => {
    const { context, page } = await engine('hang');
    await page.evaluate(clickThenTop, ['i6']);
    const out = await page.evaluate(async () => {
      window.setStallTimeout(window.rec, 1500); // 30 s by default
      window.currentWorker(window.rec).postMessage({ kind: 'test-crash', how: 'hang' });
      // Waits on the hung worker, then is sent again to the new one.
      const stats = await window.rec.stats();
      return { events: stats.events, restart: window.log.restart[0]! };
    });
    expect(out.events).toBe(1);
    expect(out.restart.reason).toContain('The recommender worker stopped answering: nothing for');
    expect(out.restart.info).toMatchObject({ storedEvents: 1, personal: true });
    await context.close();
  });

  it('a write in flight rejects with a clear error, a read in flight is retried: nothing hangs', async () => {
    const { context, page } = await engine('in-flight');
    const out = await page.evaluate(async () => {
      // Terminate while the click is adapting: its answer never comes from this worker.
      let killed = false;
      window.rec.on('adapt', (e) => {
        if (e.step === 0 && !killed) {
          killed = true;
          window.currentWorker(window.rec).terminate();
        }
      });
      const restarted = new Promise((resolve) => window.rec.on('restart', resolve));
      const click = await window.rec.click('i3').then(
        () => 'resolved',
        (error: Error) => `${error.name}: ${error.message}`,
      );
      const read = await window.rec.recommend({ count: 5 });
      await restarted;
      const events = (await window.rec.exportData()).events.map((e) => e.itemId);
      return { click, read: read.length, events, restarts: window.log.restart.length };
    });
    expect(out.click).toContain('WorkerStopped: The recommender worker stopped while handling click({"itemId":"i3"})');
    expect(out.click).toContain('make it again if it matters');
    expect(out.read).toBe(5);
    expect(out.restarts).toBe(1);
    // The click was stored before its adaptation began: the restarted worker has it.
    expect(out.events).toEqual(['i3']);
    await context.close();
  });
});

