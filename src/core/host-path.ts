import * as tf from '@tensorflow/tfjs-core';
import type { AdaptModel, Feedback, UserState } from './adapt';
import { hostFeedback, hostLoss, hostStep, offsetItems, scoresOnly, sweep, type HostItems, type ScoreOffset, type Sweep } from './host-kernel';
import type { ItemTable } from './model';
import { neighbourRow } from './neighbours';
import { simdTable } from './simd-kernel';
import { topK } from '../math/top-k';

/**
 * Which implementation runs a click: `tfjs` operations on the active backend,
 * `host` loops over host copies of the item table (host-kernel.ts), or `auto`:
 * host loops where tensors live in host memory anyway (cpu, wasm), where one
 * pass per step beats ~30 small tfjs operations, and tfjs on GPU backends.
 */
export type ClickKernel = 'auto' | 'tfjs' | 'host';

const HOST_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/** True when `kernel` selects the host loops on the active backend; throws for `host` on a GPU backend. */
export function useHost(kernel: ClickKernel = 'auto'): boolean {
  if (kernel === 'tfjs') return false;
  const onHost = HOST_BACKENDS.includes(tf.getBackend());
  if (kernel === 'host' && !onHost) {
    throw new Error(`kernel "host" needs a host-memory backend (${HOST_BACKENDS.join(', ')}), but "${tf.getBackend()}" is active: use kernel "auto" or "tfjs".`);
  }
  return onHost;
}

// Item tables never change once built (tfjs tensors are immutable), so one host
// copy per table serves every click. Keyed weakly: a dropped model frees it.
const hostTables = new WeakMap<tf.Tensor, HostItems>();

/** Host copy of an item table's vectors and bias (read once; host backends only). */
export function hostItems(items: ItemTable): HostItems {
  let host = hostTables.get(items.vectors);
  if (!host) {
    const [n, dim] = items.vectors.shape;
    const vectors = items.vectors.dataSync() as Float32Array;
    const bias = items.bias.dataSync() as Float32Array;
    const simd = simdTable(n, dim, vectors, bias);
    // With the kernel, its memory holds the only host copy.
    host = simd ? { n, dim, vectors: simd.vectors, bias: simd.bias, simd } : { n, dim, vectors, bias, simd: null };
    hostTables.set(items.vectors, host);
  }
  return host;
}

// The last sweep of an adapted state is exactly the ranking's scores: kept so
// that rank() right after adapt() need not sweep the catalog again.
const finalSweeps = new WeakMap<tf.Tensor, { readonly items: HostItems; readonly swept: Sweep }>();

interface HostState {
  readonly user: Float32Array;
  readonly pop: number;
  /** The item-item weight, with models that have neighbours. */
  readonly knn?: number;
}

function read(state: UserState): HostState {
  const out = { user: state.user.dataSync() as Float32Array, pop: state.pop.dataSync()[0]! };
  return state.knn ? { ...out, knn: state.knn.dataSync()[0]! } : out;
}

/** Tensors of a host state; `row`: its neighbour row, when the model has neighbours. */
function toTensors(state: HostState, row?: Float32Array): UserState {
  const out = { user: tf.tensor2d(state.user, [1, state.user.length]), pop: tf.tensor2d([state.pop], [1, 1]) };
  if (!row) return out;
  return { ...out, knn: tf.tensor2d([state.knn ?? 0], [1, 1]), neighbours: tf.tensor2d(row, [1, row.length]) };
}

/** The item-item offset of a state with weight `knn` over `row` (none without a row). */
function offsetOf(knn: number | undefined, row: Float32Array | null, items: Int32Array | null): ScoreOffset | null {
  return row && items ? { weight: knn ?? 0, row, items } : null;
}

function scalar(t: tf.Tensor): number {
  return t.dataSync()[0]!;
}

/** Step-0 parameters (as startUsers): the initialization plus the clicks' weighted mean context vector. */
export function hostInitialState(model: AdaptModel, clicks: Int32Array): UserState {
  const p = model.params;
  const user = Float32Array.from(p.userInit.dataSync());
  const trust = clicks.length / (clicks.length + Math.exp(scalar(p.logShrink)));
  if (clicks.length > 0) {
    const weight = (scalar(p.protoScale) * trust) / clicks.length;
    const gathered = tf.gather(model.items.context, clicks);
    const rows = gathered.dataSync();
    gathered.dispose();
    for (let c = 0; c < clicks.length; c++) for (let d = 0; d < user.length; d++) user[d]! += weight * rows[c * user.length + d]!;
  }
  if (!model.neighbours) return toTensors({ user, pop: scalar(p.popInit) });
  const row = neighbourRow(model.neighbours, clicks, new Float32Array(model.items.vectors.shape[0]));
  return toTensors({ user, pop: scalar(p.popInit), knn: Math.fround(Math.exp(scalar(p.logKnnInit)) * trust) }, row);
}

/** What adapt() drives: one step at a time, with room to undo a step whose loss is not finite. */
export interface AdaptRun {
  /** Takes step `step` (0: evaluates the start) and returns the support loss after it. */
  advance(step: number): Promise<number>;
  /** Keeps the last advance. */
  commit(): void;
  /** Drops the last advance (the parameters before it stay). */
  undo(): void;
  /** The parameters reached, as tensors the caller owns. */
  finish(): UserState;
  /** Frees what the run holds besides the state finish() handed over. */
  dispose(): void;
}

/** adapt()'s `steps` steps on host loops: one catalog sweep per step. */
export function hostRun(model: AdaptModel, start: UserState, feedback: Feedback, negativeWeight: number, steps: number): AdaptRun {
  const items = hostItems(model.items);
  const p = model.params;
  const fb = hostFeedback(feedback.clicks, feedback.negatives, negativeWeight, feedback.clickWeights);
  const count = feedback.clickWeights ? feedback.clickWeights.reduce((a, b) => a + b, 0) : feedback.clicks.length;
  const trust = count / (count + Math.exp(scalar(p.logShrink)));
  const rates = {
    user: Float32Array.from(p.logLrUser.dataSync(), (l) => trust * Math.exp(l)),
    pop: Math.fround(trust * Math.exp(scalar(p.logLrPop))),
    knn: Math.fround(trust * Math.exp(scalar(p.logLrKnn))),
  };
  // The item-item row of these clicks, as feedbackRows builds it for the tfjs path.
  const row = model.neighbours ? neighbourRow(model.neighbours, feedback.clicks, new Float32Array(items.n)) : null;
  const nonZero = row ? offsetItems(row) : null;
  const started = read(start);
  let state: HostState = row ? { ...started, knn: started.knn ?? 0 } : started;
  let swept: Sweep | null = null;
  let next: { state: HostState; swept: Sweep } | null = null;
  return {
    async advance(step) {
      const moved = step > 0 && swept ? hostStep(items, state.user, state.pop, swept, fb, rates, offsetOf(state.knn, row, nonZero)) : state;
      // The last step's sweep needs no gradient sums: nothing steps from it.
      next = { state: moved, swept: sweep(items, moved.user, moved.pop, step < steps, offsetOf(moved.knn, row, nonZero)) };
      return hostLoss(next.swept, fb);
    },
    commit() {
      if (next) ({ state, swept } = next);
      next = null;
    },
    undo() {
      next = null;
    },
    finish() {
      const out = toTensors(state, row ?? undefined);
      if (swept) finalSweeps.set(out.user, { items, swept });
      return out;
    },
    dispose() {},
  };
}

/** Scores of every item for one visitor ([items], the caller's to keep), from the adaptation's last sweep when there is one. */
export function hostScores(items: ItemTable, state: UserState): Float32Array {
  return scoresOf(items, state).slice();
}

/** rank() on host loops: scores, then a partial top-k selection. */
export function hostRank(items: ItemTable, state: UserState, k: number, exclude: Int32Array): { indices: Int32Array; scores: Float32Array } {
  return topK(scoresOf(items, state), k, new Set(exclude));
}

/** The scores, possibly a buffer that the next sweep of this table overwrites: read them at once. */
function scoresOf(items: ItemTable, state: UserState): Float32Array {
  const host = hostItems(items);
  const known = finalSweeps.get(state.user);
  if (known?.items === host) return known.swept.scores;
  const s = read(state);
  const row = state.neighbours ? (state.neighbours.dataSync() as Float32Array) : null;
  return scoresOnly(host, s.user, s.pop, offsetOf(s.knn, row, row ? offsetItems(row) : null));
}
