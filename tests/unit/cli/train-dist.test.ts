import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { artifactFiles, parseArtifact, type Model } from '../../../src/artifact/decode';
import { freePort } from '../../../src/cli/free-port';
import { adapt, disposeState, initialState, rank } from '../../../src/core';
import { askTorch, torchUnavailable } from '../train/torch-bridge';

// `npm run train:dist` as a user runs it: the Node prepare step, then real torchrun
// processes (gloo). Two processes must train the parameters one process trains with
// the same global batch. In float64 (--dtype float64) they agree to ~1e-10; in float32
// the processes' different summation order changes last bits, which Adam's first steps
// amplify on near-zero gradients, so the equality is checked where rounding cannot hide
// a wiring fault.
const root = resolve(__dirname, '../../..');
const run = promisify(execFile);
const unavailable = torchUnavailable();
if (unavailable) console.warn(`[train-dist] skipped: ${unavailable}`);

// Each test runs real torchrun processes: minutes, not seconds, when other jobs share the cores.
vi.setConfig({ testTimeout: 600_000 });

const WORLD = ['--format', 'synthetic', '--seed', '3', '--world-items', '200', '--world-users', '300', '--min-positives', '10'];

async function trainDist(args: string[]): Promise<{ dir: string; stderr: string; model: Model; json: { localrec: { training: Record<string, unknown>; validation: { score: number } } } }> {
  const dir = mkdtempSync(join(tmpdir(), 'localrec-dist-'));
  const out = join(dir, 'model');
  const { stderr } = await run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/train-dist.ts', ...WORLD, ...args, '--out', out], {
    cwd: root,
    maxBuffer: 1 << 26,
  });
  const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  const files = Object.fromEntries(artifactFiles(json).map((f) => [f, new Uint8Array(readFileSync(join(out, f)))]));
  return { dir, stderr, model: await parseArtifact(json, files), json };
}

function weights(dir: string): Float32Array {
  const bytes = readFileSync(join(dir, 'model', 'weights.bin'));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** Largest differences between two runs' meta-training checkpoints (the trained module and its best validated state). */
function checkpointDifference(a: string, b: string) {
  const path = (dir: string) => join(dir, 'model.work', 'checkpoint.pt');
  return askTorch<{ module: number; best: number; iterations: number[] }>({ kind: 'checkpoints', a: path(a), b: path(b) });
}

function largestDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe.skipIf(unavailable !== null)(`npm run train:dist (${unavailable ?? 'torch found'})`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  // One run per process count and one interrupted + resumed run, sharing the prepared data.
  const FLAGS = ['--pretrain-iterations', '20', '--validate-every', '8', '--dtype', 'float64'];
  let one: Awaited<ReturnType<typeof trainDist>>;

  it('trains the same parameters on 2 processes as on 1 with the same global batch, ALS start included, and the artifact ranks', async () => {
    one = await trainDist(['--nproc', '1', '--iterations', '16', ...FLAGS]);
    const two = await trainDist(['--nproc', '2', '--iterations', '16', '--prepared', join(one.dir, 'model.work', 'prepared'), ...FLAGS]);
    // the artifact (whichever start won) and the meta-trained parameters, which compete with the ALS start
    const diff = largestDifference(weights(one.dir), weights(two.dir));
    const meta = await checkpointDifference(one.dir, two.dir);
    console.log(`[train-dist] 1 vs 2 processes: largest difference ${diff.toExponential(2)} (artifact), ${meta.module.toExponential(2)} (meta-trained parameters)`);
    expect(diff).toBeLessThan(1e-6);
    expect(meta.iterations).toEqual([16, 16]);
    expect(meta.module).toBeLessThan(1e-6);
    expect(meta.best).toBeLessThan(1e-6);
    const { processes: p1, ...t1 } = one.json.localrec.training;
    const { processes: p2, ...t2 } = two.json.localrec.training;
    expect([p1, p2]).toEqual([1, 2]);
    // the same configuration, start choice and ALS head; validation sums differ in order only
    type Start = { chosen: string; pooled: number; als: { head: unknown; validation: number } };
    const [s1, s2] = [t1.start as Start, t2.start as Start];
    expect({ ...t2, start: null, itemLists: null, neighbourCount: null }).toEqual({ ...t1, start: null, itemLists: null, neighbourCount: null });
    // the same neighbour count chosen among the same trials; their scores are sums in another order
    type Count = { count: number; trials: { count: number; validation: number }[]; skipped?: number[] };
    const [c1, c2] = [t1.neighbourCount as Count | undefined, t2.neighbourCount as Count | undefined];
    expect(c2 && { ...c2, trials: c2.trials.map((t) => t.count) }).toEqual(c1 && { ...c1, trials: c1.trials.map((t) => t.count) });
    c2?.trials.forEach((t, i) => expect(t.validation).toBeCloseTo(c1!.trials[i]!.validation, 9));
    // the same item lists chosen; the proxy scores of the trials are sums in another order
    type Lists = { neighbourShrink: number | null; transitions: number; trials: { validation: number }[] };
    const [l1, l2] = [t1.itemLists as Lists, t2.itemLists as Lists];
    expect({ ...l2, trials: l2.trials.map((t) => ({ ...t, validation: 0 })) }).toEqual({ ...l1, trials: l1.trials.map((t) => ({ ...t, validation: 0 })) });
    l2.trials.forEach((t, i) => expect(t.validation).toBeCloseTo(l1.trials[i]!.validation, 9));
    expect([s2.chosen, s2.als.head]).toEqual([s1.chosen, s1.als.head]);
    expect(s2.pooled).toBeCloseTo(s1.pooled, 9);
    expect(s2.als.validation).toBeCloseTo(s1.als.validation, 9);
    expect(t2.engine).toBe('pytorch');
    expect(one.stderr).toMatch(/\[prepare\] synthetic: 200 items/);
    expect(two.stderr).toMatch(/meta 16\/16 .* tasks\/s .*validation next-click HR@10 0\.\d{4}/);
    // The artifact is a model the runtime loads and adapts: clicks move the ranking.
    const model = two.model;
    expect(model.meta.shape.items).toBe(model.catalog.length);
    const clicks = Int32Array.of(3, 17, 42);
    const start = initialState(model, clicks, 'tfjs');
    const adapted = await adapt(model, start, { clicks, negatives: new Int32Array(0) }, { steps: model.meta.adaptation.steps });
    const top = await rank(model.items, adapted.state, 10, clicks, 'tfjs');
    expect(top.indices.length).toBe(10);
    expect(Array.from(top.indices).some((i) => clicks.includes(i))).toBe(false);
    expect(adapted.steps.at(-1)!.loss).toBeLessThan(adapted.steps[0]!.loss);
    disposeState(start);
    disposeState(adapted.state);
    model.dispose();
  });

  it('resumes from a checkpoint, on another process count, to the parameters of an uninterrupted run', async () => {
    const prepared = ['--prepared', join(one.dir, 'model.work', 'prepared')];
    const half = await trainDist(['--nproc', '2', '--iterations', '8', ...prepared, ...FLAGS]);
    const rest = await trainDist(['--nproc', '1', '--iterations', '16', '--resume', join(half.dir, 'model.work', 'checkpoint.pt'), ...prepared, ...FLAGS]);
    expect((await checkpointDifference(half.dir, one.dir)).module).toBeGreaterThan(1e-4); // can fail: 8 iterations are not 16
    const meta = await checkpointDifference(rest.dir, one.dir);
    const diff = largestDifference(weights(rest.dir), weights(one.dir));
    console.log(`[train-dist] resumed vs uninterrupted: largest difference ${diff.toExponential(2)} (artifact), ${meta.module.toExponential(2)} (meta-trained parameters)`);
    expect(meta.iterations).toEqual([16, 16]);
    expect(meta.module).toBeLessThan(1e-6);
    expect(diff).toBeLessThan(1e-6);
    expect(rest.stderr).not.toMatch(/ALS start: λ/); // the checkpoint carries the ALS start and the pretrained start
    for (const r of [one, half, rest]) r.model.dispose();
  });

  it('trains the same parameters across two nodes (two torchrun launchers, static rendezvous on this machine)', async () => {
    const node = ['--nnodes', '2', '--rdzv-endpoint', `127.0.0.1:${await freePort()}`, '--nproc', '1', '--iterations', '16', '--prepared', join(one.dir, 'model.work', 'prepared'), ...FLAGS];
    const [first] = await Promise.all([trainDist([...node, '--node-rank', '0']), trainDist([...node, '--node-rank', '1']).catch((e: Error) => e)]);
    const diff = largestDifference(weights(first.dir), weights(one.dir));
    console.log(`[train-dist] 2 nodes × 1 process vs 1 process: largest difference ${diff.toExponential(2)} (artifact)`);
    expect(first.json.localrec.training.processes).toBe(2);
    expect(diff).toBeLessThan(1e-6);
    first.model.dispose();
  });

  it('draws the same sampled-softmax candidates on 2 processes as on 1 (the global batch\'s positives and the same negatives) and makes the same lazy-Adam updates', async () => {
    const flags = ['--prepared', join(one.dir, 'model.work', 'prepared'), '--transfer', 'pooled', '--iterations', '8', '--pretrain-iterations', '8', '--validate-every', '4', '--dtype', 'float64', '--sampled-above', '50', '--negatives', '32'];
    const a = await trainDist(['--nproc', '1', ...flags]);
    const b = await trainDist(['--nproc', '2', ...flags]);
    const diff = largestDifference(weights(a.dir), weights(b.dir));
    // The item tables' lazy-Adam steps read DDP's all-reduced gradients at the global batch's candidates: every process moves the same rows alike.
    const meta = await checkpointDifference(a.dir, b.dir);
    console.log(`[train-dist] sampled softmax, 1 vs 2 processes: largest difference ${diff.toExponential(2)} (artifact), ${meta.module.toExponential(2)} (meta-trained parameters)`);
    expect(meta.iterations).toEqual([8, 8]);
    expect(meta.module).toBeLessThan(1e-6);
    expect(a.stderr).toMatch(/sampled softmax: 200 items > 50; each task runs on the batch's clicks and 32 popularity-sampled negatives/);
    expect(a.json.localrec.training).toMatchObject({ sampledAbove: 50, negatives: 32 });
    expect(diff).toBeLessThan(1e-6);
    for (const r of [a, b]) r.model.dispose();
  });

  it('names a global batch that does not split over the processes, before starting anything', async () => {
    await expect(trainDist(['--nproc', '3', '--batch', '32'])).rejects.toThrow(/--batch 32 is the global batch and must split evenly over 3 processes: use e\.g\. --batch 33/);
  });
});
