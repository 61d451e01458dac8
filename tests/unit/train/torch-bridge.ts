// Drives the PyTorch trainer's test bridge (trainer/tests/bridge.py) from Vitest:
// one JSON request on stdin, one JSON answer on stdout, with Debian's python.
import type { SparseFeatures } from '../../../src/core/features';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { metaStep, trainableNames, type MetaConfig, type TaskBatch } from '../../../src/core/meta';
import type { FeedbackBatch, ItemInputs } from '../../../src/core/types';
import { PARAM_NAMES, toArrays, type MetaParams, type ModelShape } from '../../../src/core/params';
import { PYTHON, peerUnavailable } from '../../../bench/peer';

const BRIDGE = fileURLToPath(new URL('../../../trainer/tests/bridge.py', import.meta.url));

/** Why PyTorch cannot run here, or null (CI installs python3-torch; npm test's pytest step fails without it). */
export const torchUnavailable = peerUnavailable;

export function askTorch<T>(request: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [BRIDGE], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`bridge.py exited with ${code}: ${err.trim().split('\n').slice(-4).join(' | ')}`))));
    child.stdin.end(JSON.stringify(request));
  });
}

/** Nonzero entries of a dense [rows, items] tensor as (row, item, value) triples. */
export async function triples(t: tf.Tensor): Promise<number[][]> {
  const [rows, items] = t.shape as [number, number];
  const v = await t.data();
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) for (let i = 0; i < items; i++) if (v[r * items + i] !== 0) out.push([r, i, v[r * items + i]!]);
  return out;
}

export async function feedbackJson(f: FeedbackBatch): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { positives: await triples(f.positives) };
  if (f.negatives) out.negatives = await triples(f.negatives);
  if (f.excluded) out.excluded = await triples(f.excluded);
  if (f.neighbours) out.neighbours = await triples(f.neighbours);
  if (f.transitions) out.transitions = await triples(f.transitions);
  if (f.count) out.count = Array.from(await f.count.data());
  if (f.decayAt) out.decayAt = (await f.decayAt.data())[0];
  if (f.positivesDecay) out.positivesDecay = await triples(f.positivesDecay);
  if (f.neighboursDecay) out.neighboursDecay = await triples(f.neighboursDecay);
  if (f.transitionsDecay) out.transitionsDecay = await triples(f.transitionsDecay);
  return out;
}

/** The model part of a request: shape, parameters, sparse content rows, warm mask, popularity. */
export async function modelJson(shape: ModelShape, params: MetaParams, features: SparseFeatures, warm: ArrayLike<number>, logPop: ArrayLike<number>) {
  const arrays = await toArrays(params);
  const ptr = Array.from(features.ptr);
  const cols = Array.from(features.ids);
  const weights = Array.from(features.weights);
  return {
    shape,
    params: Object.fromEntries(PARAM_NAMES.map((n) => [n, Array.from(arrays[n])])),
    features: { ptr, cols, weights },
    warm: Array.from(warm),
    logPop: Array.from(logPop),
  };
}

/** Largest |a − b| over the largest |b| (0 when both are 0): the relative difference of two gradient arrays. */
export function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`Arrays of ${a.length} and ${b.length} values cannot be compared.`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** PyTorch's answer to a meta (or lists) request: loss and gradients by parameter name. */
export interface TorchGrads {
  readonly loss: number;
  readonly grads: Record<string, number[]>;
}

/** The parameters as fresh tfjs variables (the caller disposes them). */
export function asVariables(params: MetaParams, tag: string): MetaParams {
  const out = {} as MetaParams;
  for (const n of PARAM_NAMES) out[n] = tf.variable(params[n], true, `${tag}-${Math.random()}/${n}`);
  return out;
}

/** TypeScript's loss and gradients, the largest relative difference to PyTorch's, per parameter. */
export async function compare(vars: MetaParams, inputs: ItemInputs, batch: TaskBatch, config: MetaConfig, theirs: TorchGrads) {
  const { algorithm } = config;
  const { loss, grads } = metaStep(vars, inputs, batch, config);
  const ours = (await loss.data())[0]!;
  const worst = { name: 'loss', diff: Math.abs(ours - theirs.loss) / Math.abs(theirs.loss) };
  // The same parameters get gradients (Reptile's objective never reaches logKnnInit or logSeqInit: neither side trains them).
  const names = Object.keys(grads).filter((n) => grads[n as keyof typeof grads] !== undefined);
  expect(names.sort(), algorithm).toEqual(Object.keys(theirs.grads).sort());
  for (const name of names) {
    const diff = relativeDifference(await grads[name as keyof typeof grads]!.data(), theirs.grads[name]!);
    if (diff > worst.diff) Object.assign(worst, { name, diff });
  }
  tf.dispose([loss, ...Object.values(grads)]);
  return { trainable: trainableNames(config), worst };
}
