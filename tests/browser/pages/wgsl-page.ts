// Imported into the blank test page by tests/browser/wgsl-click.test.ts: builds
// a random order-aware model with the real core code (tfjs cpu backend: item
// table, parameters), runs the same clicks through the WGSL kernel, directly
// and behind core's driver, and returns them with the float64 model-v2
// reference (tests/support/model-v2-reference.ts).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { adapt } from '../../../src/core/adapt';
import { contentFeatures, disposeInputs, itemInputs } from '../../../src/core/features';
import { initialState, rank } from '../../../src/core/kernels';
import { computeItemTable } from '../../../src/core/model';
import { decayOf } from '../../../src/core/recency';
import { initParams } from '../../../src/core/params';
import type { UserState } from '../../../src/core/types';
import {
  adaptConstantsOf,
  dequantizeTable,
  floatTableOf,
  quantizeTable,
  wgslKernel,
  type AdaptConstants,
  type GpuClickOptions,
  type GpuItemTable,
  type SequentialModel,
} from '../../../src/gpu';
import { createRng } from '../../../src/math/rng';
import { referenceClick, type ReferenceModel, type ReferenceOutcome } from '../../support/model-v2-reference';
import { randomLists } from '../../support/random-lists';
import { disposeState, stateNumbers, uploadKernel } from '../support/wgsl-kernel';

export interface FixtureSpec {
  readonly items: number;
  readonly dim: number;
  /** Neighbours per item (0: none). */
  readonly neighbours?: number;
  /** Successors per item in the transition lists (0: none). */
  readonly transitions?: number;
  /** Recency decay (default 0.8; 1: every click the same). */
  readonly decay?: number;
  readonly int8?: boolean;
  readonly seed?: string;
  /** Inner learning rate (large ones make steps explode). */
  readonly innerLr?: number;
  /** Run the kernel on tfjs's webgpu device (shared) instead of its own. */
  readonly shared?: boolean;
  readonly options?: GpuClickOptions;
}

export interface Case {
  readonly feedback: { clicks: number[]; negatives: number[]; clickWeights?: number[] };
  readonly steps: number;
  readonly k: number;
  readonly negativeWeight?: number;
}

export interface Outcome {
  readonly losses: number[];
  readonly user: number[];
  readonly pop: number;
  readonly knn: number | null;
  readonly seq: number | null;
  readonly top: number[];
  readonly scores: number[];
  readonly rolledBack: boolean;
}

/** A random model (content features, warm and cold items, optional lists), its GPU table and its float64 reference. */
async function fixture(spec: FixtureSpec): Promise<{ model: SequentialModel; table: GpuItemTable; constants: AdaptConstants; reference: ReferenceModel }> {
  const rng = createRng(spec.seed ?? `wgsl-${spec.items}-${spec.dim}`);
  const names = ['(all items)', 'a', 'b', 'c'];
  const tags = Array.from({ length: spec.items }, () => [names[1 + rng.int(3)]!]);
  const params = initParams(
    { items: spec.items, features: names.length, dim: spec.dim },
    { seed: spec.dim, scale: 0.4, innerLr: spec.innerLr ?? 0.6, protoScale: 0.5, decay: spec.decay ?? 0.8, seqInit: 1.5, knnInit: 2 },
  );
  params.logLrSeq.dispose();
  params.logLrSeq = tf.tensor1d([Math.log(0.3)]);
  const warm = Float32Array.from({ length: spec.items }, (_, i) => (i % 5 === 0 ? 0 : 1));
  const inputs = itemInputs(contentFeatures(tags, names), warm, Float32Array.from({ length: spec.items }, () => rng.next() * 3));
  let items = computeItemTable(params, inputs);
  disposeInputs(inputs);
  let table: GpuItemTable = await floatTableOf(items);
  let plain = table;
  if (spec.int8) {
    // Everyone runs on what the int8 table stands for: code × scale.
    table = quantizeTable(plain);
    plain = dequantizeTable(table);
    tf.dispose([items.vectors, items.context]);
    items = { vectors: tf.tensor2d(plain.vectors, [spec.items, spec.dim]), bias: items.bias, context: tf.tensor2d(plain.context!, [spec.items, spec.dim]) };
  }
  const neighbours = spec.neighbours ? randomLists(spec.items, spec.neighbours, rng) : undefined;
  const transitions = spec.transitions ? randomLists(spec.items, spec.transitions, rng) : undefined;
  const constants = await adaptConstantsOf(params);
  const reference: ReferenceModel = { n: spec.items, dim: spec.dim, vectors: plain.vectors, bias: plain.bias, context: plain.context!, ...constants, ...(neighbours ? { neighbours } : {}), ...(transitions ? { transitions } : {}) };
  return { model: { params, items, decay: decayOf(constants.logitDecay), ...(neighbours ? { neighbours } : {}), ...(transitions ? { transitions } : {}) }, table, constants, reference };
}

const asOutcome = (r: ReferenceOutcome): Outcome => ({ ...r.state, losses: r.losses, top: r.top, scores: r.scores, rolledBack: r.rolledBack });

async function outcomeOf(state: UserState, losses: number[], rolledBack: boolean, top: { indices: Int32Array; scores: Float32Array }): Promise<Outcome> {
  return { losses, ...(await stateNumbers(state)), top: Array.from(top.indices), scores: Array.from(top.scores), rolledBack };
}

/** Every case on the reference, on the WGSL kernel directly (its own start from the clicks) and behind core's driver. */
export async function compare(spec: FixtureSpec, cases: readonly Case[]) {
  await tf.setBackend('cpu');
  const { model, table, constants, reference } = await fixture(spec);
  if (spec.shared) await tf.setBackend('webgpu');
  const { gpu, click } = await uploadKernel({ ...model, table, constants }, spec.options, spec.shared);
  const kernel = wgslKernel(click, model, constants, { rankAhead: Math.max(...cases.map((c) => c.k)) });
  const out = [];
  try {
    for (const c of cases) {
      const negativeWeight = c.negativeWeight ?? 0.5;
      const ref = referenceClick(reference, { ...c.feedback, negativeWeight, steps: c.steps, k: c.k });
      // core's initialState takes no rating weights: the driver starts from the recency weights alone.
      const driverRef = c.feedback.clickWeights ? referenceClick(reference, { ...c.feedback, negativeWeight, steps: c.steps, k: c.k, unratedStart: true }) : ref;
      const clicks = Int32Array.from(c.feedback.clicks);
      const feedback = { clicks, negatives: Int32Array.from(c.feedback.negatives), ...(c.feedback.clickWeights ? { clickWeights: Float32Array.from(c.feedback.clickWeights) } : {}) };
      const direct = await click.click({ ...feedback, steps: c.steps, negativeWeight, k: c.k });
      const before = click.counters();
      const start = initialState(model, clicks, kernel);
      const adapted = await adapt(model, start, feedback, { steps: c.steps, negativeWeight, kernel });
      const top = await rank(model.items, adapted.state, c.k, clicks, kernel);
      const after = click.counters();
      out.push({
        reference: asOutcome(ref),
        gpu: { losses: direct.steps.map((s) => s.loss), ...direct.state, knn: direct.state.knn ?? null, seq: direct.state.seq ?? null, user: Array.from(direct.state.user), top: Array.from(direct.indices), scores: Array.from(direct.scores), rolledBack: direct.rolledBack, dispatches: direct.dispatches },
        driver: { ...(await outcomeOf(adapted.state, adapted.steps.map((s) => s.loss), adapted.rolledBack, top)), readbacks: after.readbacks - before.readbacks },
        driverReference: asOutcome(driverRef),
        start: { reference: driverRef.start, driver: (await outcomeOf(start, [], false, { indices: new Int32Array(0), scores: new Float32Array(0) })) },
      });
      disposeState(start);
      disposeState(adapted.state);
    }
  } finally {
    kernel.dispose();
  }
  return { cases: out, shared: gpu.shared, adapter: gpu.adapter, groups: click.groups };
}

/**
 * A session as the worker runs it: each click's rank before adapting (rankOf)
 * and its adaptation start in one task, so they share one submission; the
 * ranks against the reference's scores of the previous state.
 */
export async function session(spec: FixtureSpec, clicks: readonly number[], steps: number) {
  await tf.setBackend('cpu');
  const { model, table, constants, reference } = await fixture(spec);
  const { click } = await uploadKernel({ ...model, table, constants });
  const kernel = wgslKernel(click, model, constants);
  let state = initialState(model, new Int32Array(0), kernel);
  await rank(model.items, state, 20, new Int32Array(0), kernel);
  const out: { rank: number; expected: number; readbacks: number; top: number[]; expectedTop: number[] }[] = [];
  try {
    for (let c = 0; c < clicks.length; c++) {
      const before = clicks.slice(0, c);
      const history = Int32Array.from(clicks.slice(0, c + 1));
      const counted = click.counters().readbacks;
      const expectedScores = c === 0 ? referenceClick(reference, { clicks: [], negatives: [], negativeWeight: 0.5, steps: 0, k: 1 }).all : referenceClick(reference, { clicks: before, negatives: [], negativeWeight: 0.5, steps, k: 1 }).all;
      const ranked = kernel.rankOf(model.items, state, clicks[c]!, Int32Array.from(before));
      const start = initialState(model, history, kernel);
      const adapted = await adapt(model, start, { clicks: history, negatives: new Int32Array(0) }, { steps, negativeWeight: 0.5, kernel });
      const top = await rank(model.items, adapted.state, 20, Int32Array.from(new Set(history)), kernel);
      const rankBefore = await ranked;
      disposeState(start);
      disposeState(state);
      state = adapted.state;
      const target = clicks[c]!;
      const others = new Set(before.filter((i) => i !== target));
      const t = expectedScores[target]!;
      const expected = 1 + expectedScores.filter((s, i) => i !== target && !others.has(i) && (s > t || (s === t && i < target))).length;
      const ref = referenceClick(reference, { clicks: Array.from(history), negatives: [], negativeWeight: 0.5, steps, k: 20 });
      out.push({ rank: rankBefore, expected, readbacks: click.counters().readbacks - counted, top: Array.from(top.indices), expectedTop: ref.top });
    }
    return out;
  } finally {
    disposeState(state);
    kernel.dispose();
  }
}

/** Ranking alone on scores with many exact ties: the WGSL top k against a sort by (score, index). */
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
  const { click: kernel } = await uploadKernel({ table: { format: 'float32', n: items, dim, vectors, bias } }, options);
  try {
    const r = await kernel.click({ clicks: new Int32Array(0), negatives: new Int32Array(0), steps: 0, negativeWeight: 0, k, exclude: Int32Array.from(exclude), start: { user, pop: 0 }, losses: false });
    if (r.steps.length !== 0) throw new Error('a ranking without losses reported steps');
    const skip = new Set(exclude);
    const host = Array.from({ length: items }, (_, i) => i)
      .filter((i) => !skip.has(i))
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, k);
    return { gpu: { top: Array.from(r.indices), scores: Array.from(r.scores) }, host: { top: host, scores: host.map((i) => scores[i]!) }, groups: kernel.groups };
  } finally {
    kernel.dispose();
  }
}
