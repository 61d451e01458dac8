// Imported into the blank test page by tests/browser/wgsl-*.test.ts: builds a
// random model with the real core code (tfjs cpu backend), runs the same
// clicks on the host kernel and on the WGSL kernel, and returns both.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { webgpuBackendDevice } from '../../../src/backend/availability';
import { adapt } from '../../../src/core/adapt';
import { initialState, rank } from '../../../src/core/kernels';
import { disposeState } from '../../../src/core/state';
import type { AdaptModel, ClickKernel, Feedback, ItemTable } from '../../../src/core/types';
import { featureMatrix, itemInputs } from '../../../src/core/features';
import { computeItemTable } from '../../../src/core/model';
import { neighbourRow, type Neighbours } from '../../../src/core/neighbours';
import { offsetItems } from '../../../src/core/host-kernel';
import { initParams } from '../../../src/core/params';
import { createRng } from '../../../src/math/rng';
import { topK } from '../../../src/math/top-k';
import {
  acquireGpu,
  adaptConstantsOf,
  createClickKernel,
  dequantizeTable,
  floatTableOf,
  quantizeTable,
  type GpuClickKernel,
  type GpuClickOptions,
  type GpuItemTable,
  type GpuState,
} from '../../../src/gpu';

export interface FixtureSpec {
  readonly items: number;
  readonly dim: number;
  /** Neighbours per item (0: none). */
  readonly neighbours?: number;
  readonly int8?: boolean;
  readonly seed?: string;
  /** Inner learning rate (large ones make steps explode). */
  readonly innerLr?: number;
  /** tfjs backend the reference runs on: cpu runs the host kernel, webgpu the tfjs op graph. */
  readonly backend?: 'cpu' | 'webgpu';
  readonly options?: GpuClickOptions;
}

export interface Case {
  readonly feedback: { clicks: number[]; negatives: number[]; clickWeights?: number[] };
  readonly steps: number;
  readonly k: number;
  readonly negativeWeight?: number;
  /** Start from the host's initial state (what the host does with click weights) instead of the prototype. */
  readonly explicitStart?: boolean;
}

export interface Outcome {
  readonly losses: number[];
  readonly user: number[];
  readonly pop: number;
  readonly knn: number | null;
  readonly top: number[];
  readonly scores: number[];
  readonly rolledBack: boolean;
}

function randomNeighbours(items: number, m: number, rng: ReturnType<typeof createRng>): Neighbours {
  const ids = new Int32Array(items * m).fill(-1);
  const sims = new Float32Array(items * m);
  for (let i = 0; i < items; i++) {
    const count = i % 7 === 0 ? 2 : m;
    for (let s = 0; s < count; s++) {
      ids[i * m + s] = rng.int(items);
      sims[i * m + s] = rng.next();
    }
  }
  return { m, ids, sims };
}

/** A random model (content features, warm and cold items, optional neighbours), its GPU table, and the host's view of that table. */
async function fixture(spec: FixtureSpec): Promise<{ model: AdaptModel; table: GpuItemTable }> {
  const rng = createRng(spec.seed ?? `wgsl-${spec.items}-${spec.dim}`);
  const names = ['(all items)', 'a', 'b', 'c'];
  const tags = Array.from({ length: spec.items }, () => [names[1 + rng.int(3)]!]);
  const params = initParams({ items: spec.items, features: names.length, dim: spec.dim }, { seed: spec.dim, scale: 0.4, innerLr: spec.innerLr ?? 0.6, protoScale: 0.5 });
  const warm = Float32Array.from({ length: spec.items }, (_, i) => (i % 5 === 0 ? 0 : 1));
  const inputs = itemInputs(featureMatrix(tags, names), names.length, warm, Float32Array.from({ length: spec.items }, () => rng.next() * 3));
  let items: ItemTable = computeItemTable(params, inputs);
  let table: GpuItemTable = await floatTableOf(items);
  if (spec.int8) {
    // The host runs on what the int8 table stands for: code × scale.
    table = quantizeTable(table);
    const plain = dequantizeTable(table);
    tf.dispose([items.vectors, items.context]);
    items = { vectors: tf.tensor2d(plain.vectors, [spec.items, spec.dim]), bias: items.bias, context: tf.tensor2d(plain.context!, [spec.items, spec.dim]) };
  }
  const neighbours = spec.neighbours ? randomNeighbours(spec.items, spec.neighbours, rng) : undefined;
  return { model: { params, items, ...(neighbours ? { neighbours } : {}) }, table };
}

async function reference(model: AdaptModel, c: Case, kernel: ClickKernel): Promise<Outcome & { start: GpuState }> {
  const feedback: Feedback = {
    clicks: Int32Array.from(c.feedback.clicks),
    negatives: Int32Array.from(c.feedback.negatives),
    ...(c.feedback.clickWeights ? { clickWeights: Float32Array.from(c.feedback.clickWeights) } : {}),
  };
  const start = initialState(model, feedback.clicks, kernel);
  const out = await adapt(model, start, feedback, { steps: c.steps, negativeWeight: c.negativeWeight ?? 0.5, kernel });
  const top = await rank(model.items, out.state, c.k, feedback.clicks, kernel);
  const result = {
    losses: out.steps.map((s) => s.loss),
    user: Array.from(await out.state.user.data()),
    pop: (await out.state.pop.data())[0]!,
    knn: out.state.knn ? (await out.state.knn.data())[0]! : null,
    top: Array.from(top.indices),
    scores: Array.from(top.scores),
    rolledBack: out.rolledBack,
    start: { user: Float32Array.from(await start.user.data()), pop: (await start.pop.data())[0]!, ...(start.knn ? { knn: (await start.knn.data())[0]! } : {}) },
  };
  disposeState(start);
  disposeState(out.state);
  return result;
}

async function onGpu(kernel: GpuClickKernel, c: Case, start: GpuState | undefined): Promise<Outcome & { dispatches: number; readbacks: number }> {
  const r = await kernel.click({
    clicks: Int32Array.from(c.feedback.clicks),
    negatives: Int32Array.from(c.feedback.negatives),
    ...(c.feedback.clickWeights ? { clickWeights: Float32Array.from(c.feedback.clickWeights) } : {}),
    steps: c.steps,
    negativeWeight: c.negativeWeight ?? 0.5,
    k: c.k,
    ...(start ? { start } : {}),
  });
  return {
    losses: r.steps.map((s) => s.loss),
    user: Array.from(r.state.user),
    pop: r.state.pop,
    knn: r.state.knn ?? null,
    top: Array.from(r.indices),
    scores: Array.from(r.scores),
    rolledBack: r.rolledBack,
    dispatches: r.dispatches,
    readbacks: r.readbacks,
  };
}

/** Runs every case on the reference path and on one WGSL kernel for the fixture. */
export async function compare(spec: FixtureSpec, cases: readonly Case[]) {
  await tf.setBackend('cpu');
  const { model, table } = await fixture(spec);
  if (spec.backend === 'webgpu') await tf.setBackend('webgpu');
  const gpu = await acquireGpu(webgpuBackendDevice());
  const kernel = await createClickKernel(gpu, { table, constants: await adaptConstantsOf(model.params), ...(model.neighbours ? { neighbours: model.neighbours } : {}) }, spec.options);
  const out = [];
  try {
    for (const c of cases) {
      // The tfjs op graph on webgpu, the host kernel on cpu (the models' tensors live on cpu: copy them over).
      const ref = spec.backend === 'webgpu' ? await onWebgpu(model, c) : await reference(model, c, 'host');
      out.push({ reference: ref, gpu: await onGpu(kernel, c, c.explicitStart ? ref.start : undefined) });
    }
  } finally {
    kernel.dispose();
  }
  return { cases: out, shared: gpu.shared, adapter: gpu.adapter, groups: kernel.groups };
}

async function onWebgpu(model: AdaptModel, c: Case) {
  const params = Object.fromEntries(Object.entries(model.params).map(([k, t]) => [k, tf.tensor(t.dataSync(), t.shape)])) as AdaptModel['params'];
  const items = { vectors: tf.tensor2d(model.items.vectors.dataSync(), model.items.vectors.shape), bias: tf.tensor1d(model.items.bias.dataSync()), context: tf.tensor2d(model.items.context.dataSync(), model.items.context.shape) };
  try {
    return await reference({ params, items, ...(model.neighbours ? { neighbours: model.neighbours } : {}) }, c, 'tfjs');
  } finally {
    tf.dispose([...Object.values(params), items.vectors, items.bias, items.context]);
  }
}

/** Ranking alone on scores with many exact ties: the WGSL top k against core/top-k.ts. */
export async function ties(items: number, k: number, exclude: number[], options?: GpuClickOptions) {
  const dim = 4;
  const rng = createRng(`ties-${items}`);
  // Few distinct rows: most scores tie exactly, whatever the arithmetic order.
  const rows = Array.from({ length: 7 }, () => Array.from({ length: dim }, () => rng.int(9) - 4));
  const vectors = new Float32Array(items * dim);
  const bias = new Float32Array(items);
  for (let i = 0; i < items; i++) vectors.set(rows[rng.int(rows.length)]!, i * dim);
  const user = Float32Array.from({ length: dim }, () => rng.int(5) - 2);
  const scores = Float32Array.from({ length: items }, (_, i) => vectors.subarray(i * dim, (i + 1) * dim).reduce((s, v, d) => s + v * user[d]!, 0));
  const gpu = await acquireGpu(webgpuBackendDevice());
  const kernel = await createClickKernel(gpu, { table: { format: 'float32', n: items, dim, vectors, bias } }, options);
  try {
    const r = await kernel.click({ clicks: new Int32Array(0), negatives: new Int32Array(0), steps: 0, negativeWeight: 0, k, exclude: Int32Array.from(exclude), start: { user, pop: 0 }, losses: false });
    if (r.steps.length !== 0) throw new Error('a ranking without losses reported steps');
    const host = topK(scores, k, new Set(exclude));
    return { gpu: { top: Array.from(r.indices), scores: Array.from(r.scores) }, host: { top: Array.from(host.indices), scores: Array.from(host.scores) }, groups: kernel.groups };
  } finally {
    kernel.dispose();
  }
}

/**
 * The transition offset s·t_i against the host kernel: with the item-item rate
 * at 0 the host's item-item term is a fixed offset w0·row_i, so the GPU
 * without neighbours, given transitions (w0, row), must reach the same click.
 */
export async function transitions(c: Case) {
  await tf.setBackend('cpu');
  const { model } = await fixture({ items: 3000, dim: 8, neighbours: 5 });
  model.params.logLrKnn.dispose();
  model.params.logLrKnn = tf.tensor1d([-1e4]);
  const host = await reference(model, c, 'host');
  const clicks = Int32Array.from(c.feedback.clicks);
  const row = neighbourRow(model.neighbours!, clicks, new Float32Array(3000));
  const items = offsetItems(row);
  const gpu = await acquireGpu(webgpuBackendDevice());
  const kernel = await createClickKernel(gpu, { table: await floatTableOf(model.items), constants: await adaptConstantsOf(model.params) });
  try {
    const r = await kernel.click({
      clicks,
      negatives: Int32Array.from(c.feedback.negatives),
      steps: c.steps,
      negativeWeight: c.negativeWeight ?? 0.5,
      k: c.k,
      transitions: { weight: host.start.knn!, row: { items, values: Float32Array.from(items, (i) => row[i]!) } },
    });
    return {
      reference: host,
      gpu: { losses: r.steps.map((s) => s.loss), user: Array.from(r.state.user), pop: r.state.pop, knn: r.state.knn ?? null, top: Array.from(r.indices), scores: Array.from(r.scores), rolledBack: r.rolledBack },
      entries: items.length,
    };
  } finally {
    kernel.dispose();
  }
}
