import { describe, expect, it } from 'vitest';
import { FIXTURE_PREFIX, serveArtifact } from './support/artifact-route';
import { startEngine, startEngineError } from './support/engine';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

const suite = useTinySuite();

/** Static files the dev server serves to the page and worker: modules, dependencies, wasm, the test page. */
const STATIC = [/^\/src\//, /^\/node_modules\//, /^\/@(vite|fs|id)\//, /^\/tests\/browser\/pages\//];

describe('integrity and privacy', () => {
  it('refuses a tampered weight shard with an Error naming the file and both hashes', async () => {
    const { context, page } = await suite.harness.newPage();
    const modelUrl = await serveArtifact(context, 'tampered', suite.files, { tamper: 'weights.bin' });
    const message = await startEngineError(page, { modelUrl, backend: 'cpu' });
    expect(message).toMatch(/^Error: Artifact file "weights.bin" of model maml-[0-9a-f]+ failed verification: SHA-256 [0-9a-f]{64} .*expected [0-9a-f]{64}/);
    // Nothing unverified was cached.
    const cached = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('localrec');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const count = await new Promise<number>((resolve) => {
        const r = db.transaction('artifacts').objectStore('artifacts').count();
        r.onsuccess = () => resolve(r.result);
      });
      db.close();
      return count;
    });
    expect(cached).toBe(0);
    // The visitor can still delete everything although the recommender never started.
    await page.evaluate(() => window.rec.forget());
    expect(await page.evaluate(async () => (await indexedDB.databases()).length)).toBe(0);
    await context.close();
  });

  it('makes no request but the artifact and static files, and none at all during a 50-click session', async () => {
    const { context, page } = await suite.harness.newPage();
    const requests: { url: string; method: string; phase: string }[] = [];
    let phase = 'startup';
    context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), phase }));
    const modelUrl = await serveArtifact(context, 'tiny', suite.files);
    await startEngine(page, { modelUrl, backend: 'auto' });
    phase = 'session';
    await page.evaluate(async () => {
      const items = await window.rec.recommend({ count: 60 });
      for (let k = 0; k < 50; k++) {
        await window.rec.impressions(items.slice(k % 50, (k % 50) + 3).map((i) => i.id));
        await window.rec.click(items[(k * 7) % items.length]!.id);
      }
      await window.rec.exportData();
    });
    phase = 'done';
    const origin = new URL(suite.harness.server.url).origin;
    const artifactPaths = requests.filter((r) => new URL(r.url).pathname.startsWith(FIXTURE_PREFIX));
    // The worker's own downloads are visible here, so the check covers the worker too.
    expect(artifactPaths.map((r) => new URL(r.url).pathname).sort()).toEqual(
      ['catalog.json', 'model.json', 'weights.bin'].map((f) => `${FIXTURE_PREFIX}/tiny/${f}`),
    );
    const unexpected = requests.filter((r) => {
      const url = new URL(r.url);
      if (url.protocol === 'data:' || url.protocol === 'blob:') return false;
      if (url.origin !== origin || r.method !== 'GET') return true;
      return !url.pathname.startsWith(FIXTURE_PREFIX) && !STATIC.some((re) => re.test(url.pathname));
    });
    expect(unexpected).toEqual([]);
    expect(requests.filter((r) => r.phase === 'session')).toEqual([]);
    await context.close();
  });
});
