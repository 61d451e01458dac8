import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BrowserContext } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { v2FromV1 } from '../../src/cli/v2-output';
import { startEngine } from './support/engine';
import { faultyHost } from './support/fault-route';
import { storedSummary } from './support/idb-inspect';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

// Format v2 in the worker: the demo model's float v1 (its training output) and
// its conversion, served side by side. The v2 table stays int8 and is scored by the host
// kernel; a visitor who holds v1 in IndexedDB keeps working and moves to v2
// cleanly when the site ships it.
const suite = useTinySuite();
const DEMO = 'public/models/demo/training';
type Files = Record<string, Uint8Array>;
let v1: Files;
let v2: Files;
beforeAll(async () => {
  await tf.setBackend('cpu');
  v1 = Object.fromEntries(['model.json', 'weights.bin', 'catalog.json'].map((f) => [f, new Uint8Array(readFileSync(join(DEMO, f)))]));
  // Shards of 64 KiB: several weight and catalog files, so "every shard, always" is tested.
  v2 = (await v2FromV1(v1, { maxShardBytes: 64 * 1024 })).files;
}, 120_000);

const CLICKS = ['i7', 'i412', 'i413', 'i1200', 'i7', 'i877'];

/** The top 20 after the visitor clicks `clicks` in order (each click adapts and re-ranks). */
async function topAfter(context: BrowserContext, page: import('playwright-core').Page, files: Files, name: string, clicks: readonly string[]) {
  const host = await faultyHost(context, name);
  host.serve(files);
  const info = await startEngine(page, { modelUrl: host.modelUrl, backend: 'auto' });
  const top = await page.evaluate(async (list) => {
    for (const id of list) await window.rec.click(id);
    return (await window.rec.recommend({ count: 20 })).map((i) => ({ id: i.id, score: i.score }));
  }, clicks);
  return { info, ids: top.map((t) => t.id), scores: new Map(top.map((t) => [t.id, t.score])), host };
}

describe('model format v2 in the worker', () => {
  it('ranks the same top 20 as the float v1 model it was converted from, after clicks', async () => {
    const a = await suite.harness.newPage();
    const float = await topAfter(a.context, a.page, v1, 'demo-v1', CLICKS);
    const b = await suite.harness.newPage();
    const int8 = await topAfter(b.context, b.page, v2, 'demo-v2', CLICKS);
    expect(int8.info.modelVersion).not.toBe(float.info.modelVersion);
    expect(['wasm', 'cpu']).toContain(int8.info.backend);
    expect(int8.ids).toHaveLength(20);
    const overlap = int8.ids.filter((id) => float.ids.includes(id)).length;
    console.log(`v2 vs v1 top 20 after ${CLICKS.length} clicks: ${overlap}/20 shared, first 10 ${int8.ids.slice(0, 10).filter((id) => float.ids.slice(0, 10).includes(id)).length}/10; v1 ${float.info.backend}, v2 ${int8.info.backend}`);
    // Quantization moves near-ties only: at most two of 20 may swap out, and two items of the
    // top 10 trade places only where the float model scores them within 1% of the top score.
    expect(overlap).toBeGreaterThanOrEqual(18);
    const tie = 0.01 * Math.abs(float.scores.get(float.ids[0]!)!);
    const head = int8.ids.slice(0, 10).filter((id) => float.scores.has(id));
    for (const [i, a] of head.entries()) {
      for (const b of head.slice(i + 1)) {
        // int8 puts a above b; float agrees, or scores them as a near-tie
        expect(float.scores.get(b)! - float.scores.get(a)!, `${a} above ${b}`).toBeLessThanOrEqual(tie);
      }
    }
    expect(await b.page.evaluate(() => window.log.error)).toEqual([]);
    await a.context.close();
    await b.context.close();
  });

  it('requests every shard, always: the files do not depend on the clicks, and none is requested during a session', async () => {
    const json = JSON.parse(new TextDecoder().decode(v2['model.json'])) as { localrec: { weights: string[]; catalog: { file: string }[] } };
    expect(json.localrec.weights.length).toBeGreaterThan(1);
    expect(json.localrec.catalog.length).toBeGreaterThan(1);
    const requestedBy: string[][] = [];
    for (const [k, clicks] of [CLICKS, ['i1999', 'i1']].entries()) {
      const { context, page } = await suite.harness.newPage();
      const during: string[] = [];
      let phase = 'startup';
      context.on('request', (r) => {
        if (phase === 'session') during.push(r.url());
      });
      const host = await faultyHost(context, `privacy-${k}`);
      host.serve(v2);
      await startEngine(page, { modelUrl: host.modelUrl, backend: 'auto' });
      phase = 'session';
      await page.evaluate(async (list) => {
        for (const id of list) await window.rec.click(id);
        await window.rec.recommend({ count: 50 });
      }, clicks);
      phase = 'done';
      expect(during).toEqual([]);
      requestedBy.push([...host.requested].sort());
      await context.close();
    }
    expect(requestedBy[0]).toEqual(Object.keys(v2).sort());
    expect(requestedBy[1]).toEqual(requestedBy[0]);
  });

  it('starts a returning visitor from the v2 model in IndexedDB: no shard downloaded or hashed again, the same ranking, the start timed by phase', async () => {
    const { context, page } = await suite.harness.newPage();
    const host = await faultyHost(context, 'cached-v2');
    host.serve(v2);
    const first = await startEngine(page, { modelUrl: host.modelUrl, backend: 'auto' });
    expect(first).toMatchObject({ fromCache: false, backend: 'cpu' });
    // Downloaded, hashed and decoded once (the verify step's decode is reused), stored.
    expect(Object.keys(first.startup)).toEqual(expect.arrayContaining(['storage', 'cacheRead', 'manifest', 'download', 'verify', 'store', 'decode', 'build', 'backend', 'restore', 'ranking']));
    // auto never starts tfjs's wasm backend for an int8 model: cpu runs the same host kernel.
    expect(first.timings.map((t) => t.name)).not.toContain('wasm');
    expect((await page.evaluate(() => window.debugInfo(window.rec))).memory.wasmBackendBytes).toBe(0);
    await page.evaluate(async (list) => {
      for (const id of list) await window.rec.click(id);
    }, CLICKS.slice(0, 4));
    const before = await page.evaluate(() => window.rec.recommend({ count: 20 }));
    const requested = host.requested.length;
    await page.reload();
    const cached = await startEngine(page, { modelUrl: host.modelUrl, backend: 'auto' });
    expect(cached).toMatchObject({ modelVersion: first.modelVersion, fromCache: true, storedEvents: 4, personal: true });
    expect(host.requested.slice(requested)).toEqual(['model.json']);
    expect(cached.startup.download).toBeUndefined();
    expect(cached.startup.verify).toBeUndefined();
    expect(cached.startup.decode).toBeGreaterThan(0);
    // auto's choice was remembered with the cached version: activated again, not re-timed.
    expect(cached.backend).toBe(first.backend);
    expect(cached.timings).toEqual(first.timings);
    expect(cached.reason).toContain('measured when this model version first started on this device');
    const after = await page.evaluate(() => window.rec.recommend({ count: 20 }));
    expect(after.map((i) => i.id)).toEqual(before.map((i) => i.id));
    expect(after.find((i) => i.id === before[0]!.id)).toEqual(before[0]);
    expect(await page.evaluate(() => window.log.error)).toEqual([]);
    await context.close();
  });

  it('keeps a v1 model stored in IndexedDB working, then replaces it cleanly with v2', async () => {
    const { context, page } = await suite.harness.newPage();
    const host = await faultyHost(context, 'upgrade');
    host.serve(v1);
    const first = await startEngine(page, { modelUrl: host.modelUrl, backend: 'auto' });
    await page.evaluate(async (list) => {
      for (const id of list) await window.rec.click(id);
    }, CLICKS.slice(0, 3));
    const before = await page.evaluate(() => window.rec.recommend({ count: 10 }));

    // A returning visitor offline: v1 from IndexedDB, same ranking.
    host.serve(v1, { kind: 'down', file: '*' });
    await page.reload();
    const cached = await startEngine(page, { modelUrl: host.modelUrl, backend: 'auto' });
    expect(cached).toMatchObject({ modelVersion: first.modelVersion, fromCache: true, storedEvents: 3 });
    expect((await page.evaluate(() => window.rec.recommend({ count: 10 }))).map((i) => i.id)).toEqual(before.map((i) => i.id));

    // The site ships v2: downloaded, verified, it replaces v1; the visitor's events carry over.
    host.serve(v2);
    await page.reload();
    const upgraded = await startEngine(page, { modelUrl: host.modelUrl, backend: 'auto' });
    expect(upgraded).toMatchObject({ fromCache: false, storedEvents: 3, personal: true, items: 1999 });
    expect(upgraded.modelVersion).not.toBe(first.modelVersion);
    for (;;) {
      const stored = await page.evaluate(storedSummary, 'localrec');
      if (stored.states.length > 0) {
        expect(stored.artifact).toBe(upgraded.modelVersion);
        expect(stored.artifactFiles.every((f) => f.startsWith(`${upgraded.modelVersion}/`))).toBe(true);
        expect(stored.states).toEqual([{ version: upgraded.modelVersion, eventCount: 3 }]);
        break;
      }
      await page.waitForTimeout(100);
    }
    const after = await page.evaluate(() => window.rec.recommend({ count: 10 }));
    expect(after.map((i) => i.id).filter((id) => before.some((b) => b.id === id)).length).toBeGreaterThanOrEqual(8);
    expect(await page.evaluate(() => window.log.error)).toEqual([]);
    await context.close();
  });
});
