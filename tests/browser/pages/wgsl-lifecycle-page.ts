// Imported by tests/browser/wgsl-lifecycle.test.ts: long sessions and device
// loss on the WGSL kernel, with GPU buffers counted by the device's ledger.
import { createRng } from '../../../src/math/rng';
import type { QuantizedTable } from '../../../src/gpu';
import { quantizeTable } from '../../../src/gpu/table';
import { uploadKernel } from '../support/wgsl-kernel';

const DIM = 8;

/** A random int8 table with context vectors, its constants, neighbour and transition lists. */
function model(items: number) {
  const rng = createRng(`lifecycle-${items}`);
  const vectors = Float32Array.from({ length: items * DIM }, () => rng.normal() * 0.4);
  const context = Float32Array.from({ length: items * DIM }, () => rng.normal() * 0.4);
  const bias = Float32Array.from({ length: items }, () => rng.normal());
  const table: QuantizedTable = quantizeTable({ format: 'float32', n: items, dim: DIM, vectors, bias, context });
  const m = 10;
  const ids = Int32Array.from({ length: items * m }, () => rng.int(items));
  const sims = Float32Array.from({ length: items * m }, () => rng.next());
  const constants = {
    userInit: Float32Array.from({ length: DIM }, () => rng.normal() * 0.1),
    logLrUser: new Float32Array(DIM).fill(Math.log(0.3)),
    popInit: 1,
    protoScale: 0.5,
    logShrink: 0,
    logLrPop: Math.log(0.2),
    logKnnInit: 0,
    logLrKnn: Math.log(0.2),
    logitDecay: Math.log(0.8 / 0.2),
    logSeqInit: 0,
    logLrSeq: Math.log(0.2),
  };
  const next = { m: 5, ids: Int32Array.from({ length: items * 5 }, () => rng.int(items)), sims: Float32Array.from({ length: items * 5 }, () => rng.next()) };
  return { table, constants, neighbours: { m, ids, sims }, transitions: next };
}

function randomClick(rng: ReturnType<typeof createRng>, items: number, size: number) {
  return {
    clicks: Int32Array.from({ length: size }, () => rng.int(items)),
    negatives: Int32Array.from({ length: size >> 1 }, () => rng.int(items)),
    steps: 1 + rng.int(3),
    negativeWeight: 0.5,
    k: 1 + rng.int(100),
  };
}

/**
 * `clicks` clicks of 1–60 clicked items after a warm-up that already had the
 * largest; the ledger after the warm-up and after every quarter.
 */
export async function session(clicks: number) {
  const items = 5000;
  const { gpu, click: kernel } = await uploadKernel(model(items));
  const rng = createRng('session');
  const largest = randomClick(rng, items, 60);
  for (let w = 0; w < 5; w++) await kernel.click(w === 0 ? largest : randomClick(rng, items, 1 + rng.int(60)));
  const ledger = [gpu.ledger.counts()];
  const before = kernel.counters();
  let expectedDispatches = 0;
  for (let c = 0; c < clicks; c++) {
    const request = randomClick(rng, items, 1 + rng.int(60));
    expectedDispatches += request.steps + (kernel.groups.select > 1 ? 3 : 2);
    const r = await kernel.click(request);
    if (r.indices.length !== request.k) throw new Error(`click ${c}: ${r.indices.length} items for k = ${request.k}`);
    if ((c + 1) % (clicks / 4) === 0) ledger.push(gpu.ledger.counts());
  }
  const after = kernel.counters();
  // A click with far more input than any before grows the input buffer once: one buffer out, one in.
  await kernel.click(randomClick(rng, items, 3000));
  const grown = gpu.ledger.counts();
  kernel.dispose();
  return {
    ledger,
    grown,
    disposed: gpu.ledger.counts(),
    clicks: after.clicks - before.clicks,
    dispatches: after.dispatches - before.dispatches,
    expectedDispatches,
    readbacks: after.readbacks - before.readbacks,
  };
}

const settle = <T>(p: Promise<T>, ms: number): Promise<string> =>
  Promise.race([
    p.then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`),
    new Promise<string>((r) => setTimeout(() => r(`still pending after ${ms} ms`), ms)),
  ]);

/** Destroys the device under a click in flight; what each later call does, then a rebuild on a new device. */
export async function loseDevice(shared: boolean) {
  if (shared) {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-webgpu');
    await tf.setBackend('webgpu');
    await tf.ready();
  }
  const items = 3000;
  const { gpu, click: kernel } = await uploadKernel(model(items), undefined, shared);
  const rng = createRng('loss');
  const before = (await kernel.click(randomClick(rng, items, 10))).indices.length;
  const inFlight = kernel.click(randomClick(rng, items, 10));
  gpu.device.destroy();
  const pending = await settle(inFlight, 10_000);
  const next = await settle(kernel.click(randomClick(rng, items, 10)), 10_000);
  const loss = gpu.loss();
  // What the worker would do next without tfjs's device: a new device, the table uploaded again.
  const fresh = shared ? null : await uploadKernel(model(items));
  let rebuilt: number | null = null;
  if (fresh) {
    rebuilt = (await fresh.click.click(randomClick(rng, items, 10))).indices.length;
    fresh.click.dispose();
  }
  return { shared: gpu.shared, before, pending, next, loss, freshIsNew: fresh ? fresh.gpu.device !== gpu.device : null, rebuilt };
}
