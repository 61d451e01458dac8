import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyArtifact } from '../unit/worker/fixtures/tiny-artifact';
import type { Files } from './support/artifact-variants';
import { startEngine, startEngineError } from './support/engine';
import { storedSummary } from './support/idb-inspect';
import { trickleServer, type Trickle, type TrickleServer } from './support/trickle-server';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

// A slow, stalled or broken network, from a real HTTP server (request routing
// cannot deliver a body slowly). The page is on the dev server's origin, the
// model on this server's: a cross-origin model with CORS.
const suite = useTinySuite();
let server: TrickleServer;
let next: Files;
beforeAll(async () => {
  server = await trickleServer();
  next = await tinyArtifact({ items: 60, dim: 8, steps: 3, seed: 9 });
});
afterAll(async () => {
  await server?.close();
});

/** The idle timeout the tests set, ms: a stalled download fails after this long without a byte. */
const TIMEOUT_MS = 1500;
const SLOW: Trickle = { chunkBytes: 512, delayMs: 25 };

async function visit(page: Awaited<ReturnType<typeof suite.harness.newPage>>['page']) {
  return startEngine(page, { modelUrl: `${server.url}/model.json`, backend: 'cpu', downloadTimeoutMs: TIMEOUT_MS });
}

describe('a slow network', () => {
  it('reports download progress chunk by chunk while a slow download trickles in, then starts', async () => {
    const { context, page } = await suite.harness.newPage();
    server.serve(suite.files, { 'weights.bin': SLOW, 'catalog.json': SLOW });
    const info = await visit(page);
    expect(info.fromCache).toBe(false);
    const progress = await page.evaluate(() => window.log.progress);
    for (const file of ['weights.bin', 'catalog.json']) {
      const size = suite.files[file]!.byteLength;
      const steps = progress.filter((p) => p.phase === 'download' && p.file === file);
      expect(steps.length, file).toBeGreaterThanOrEqual(Math.floor(size / SLOW.chunkBytes));
      expect(steps.every((p) => p.total === size)).toBe(true);
      expect(steps.map((p) => p.loaded)).toEqual([...steps.map((p) => p.loaded)].sort((a, b) => a - b));
      expect(steps.at(-1)!.loaded).toBe(size);
    }
    expect(progress.at(-1)?.phase).toBe('stored');
    await context.close();
  });

  it('fails a stalled download on a first visit after the idle timeout, naming the file and the bytes received', async () => {
    const { context, page } = await suite.harness.newPage();
    server.serve(suite.files, { 'weights.bin': { ...SLOW, stallAfter: 1024 } });
    const message = await startEngineError(page, { modelUrl: `${server.url}/model.json`, backend: 'cpu', downloadTimeoutMs: TIMEOUT_MS });
    expect(message).toMatch(
      new RegExp(`^Error: Download of http://[\\d.:]+/weights\\.bin stalled: nothing arrived for ${TIMEOUT_MS} ms \\([\\d,]+ of [\\d,]+ bytes received\\)\\. The network or the server is too slow; it is retried on the next visit\\.$`),
    );
    expect((await page.evaluate(storedSummary, 'localrec')).artifactFiles).toEqual([]);
    await context.close();
  });

  it('fails a dropped connection with an error naming the file and the bytes received', async () => {
    const { context, page } = await suite.harness.newPage();
    server.serve(suite.files, { 'catalog.json': { ...SLOW, cutAfter: 1024 } });
    const message = await startEngineError(page, { modelUrl: `${server.url}/model.json`, backend: 'cpu', downloadTimeoutMs: TIMEOUT_MS });
    expect(message).toMatch(/^Error: Could not download http:\/\/[\d.:]+\/catalog\.json \([\d,]+ of [\d,]+ bytes received\): .+\. Check the network connection and modelUrl\./);
    await context.close();
  });

  it('keeps serving the cached version when a new version stalls, with the visitor intact', async () => {
    const { context, page } = await suite.harness.newPage();
    server.serve(suite.files);
    const first = await visit(page);
    await page.evaluate(async () => {
      for (const id of ['i4', 'i9']) await window.rec.click(id);
    });
    const before = await page.evaluate(storedSummary, 'localrec');
    server.serve(next, { 'weights.bin': { ...SLOW, stallAfter: 1024 } });
    await page.reload();
    const again = await visit(page);
    expect(again).toMatchObject({ modelVersion: first.modelVersion, fromCache: true, personal: true, storedEvents: 2 });
    const errors = await page.evaluate(() => window.log.error);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'ModelUpdateFailed' });
    expect(errors[0]!.message).toMatch(new RegExp(`^Kept cached model ${first.modelVersion}: Download of \\S+/weights\\.bin stalled`));
    expect(await page.evaluate(storedSummary, 'localrec')).toEqual(before);
    await context.close();
  });

  it('rejects a download timeout that is not a positive number of ms, on the page', async () => {
    const { context, page } = await suite.harness.newPage();
    const message = await startEngineError(page, { modelUrl: `${server.url}/model.json`, downloadTimeoutMs: -5 }).catch((e: Error) => e.message);
    expect(message).toContain('createRecommender: downloadTimeoutMs must be a positive number of ms, got the number -5.');
    await context.close();
  });
});
