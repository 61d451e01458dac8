import * as tf from '@tensorflow/tfjs-core';
import { hostFeedback, hostLoss, hostStep, offsetItems, scoresOnly, sweep, type HostItems, type ScoreOffset, type Sweep } from './host-kernel';
import { topK } from '../math/top-k';
import { simdTable } from './simd-kernel';
import type { AdaptKernel, AdaptModel, AdaptProblem, ItemTable, KernelRun, SparseRow, UserState } from './types';

/**
 * The click path on host loops (host-kernel.ts, with its SIMD module where one
 * runs) over host copies of the item table: one catalog sweep per step. For
 * backends whose tensors live in host memory (cpu, wasm): it reads them with
 * dataSync, which GPU backends cannot do correctly.
 */
export const hostKernel: AdaptKernel = {
  name: 'host',

  /** As startUsers: the initialization plus the clicks' weighted mean context vector. */
  initialState(model, clicks, neighbours) {
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
    if (!neighbours) return toTensors({ user, pop: scalar(p.popInit) });
    return toTensors({ user, pop: scalar(p.popInit), knn: Math.fround(Math.exp(scalar(p.logKnnInit)) * trust) }, neighbours.row);
  },

  run: hostRun,

  /** From the adaptation's last sweep when there is one. */
  scores: async (items, state) => scoresOf(items, state).slice(),

  /** Scores, then a partial top-k selection. */
  rank: async (items, state, k, exclude) => topK(scoresOf(items, state), k, new Set(exclude)),
};

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

/** A visitor's parameters on the host. */
interface HostParams {
  readonly user: Float32Array;
  readonly pop: number;
  /** The item-item weight, with models that have neighbours. */
  readonly knn?: number;
}

/** A state of a host run: the parameters and their sweep of the catalog (scores, softmax sums). */
interface HostState extends HostParams {
  readonly swept: Sweep;
}

function read(state: UserState): HostParams {
  const out = { user: state.user.dataSync() as Float32Array, pop: state.pop.dataSync()[0]! };
  return state.knn ? { ...out, knn: state.knn.dataSync()[0]! } : out;
}

/** Tensors of host parameters; `row`: their neighbour row, when the model has neighbours. */
function toTensors(state: HostParams, row?: Float32Array): UserState {
  const out = { user: tf.tensor2d(state.user, [1, state.user.length]), pop: tf.tensor2d([state.pop], [1, 1]) };
  if (!row) return out;
  return { ...out, knn: tf.tensor2d([state.knn ?? 0], [1, 1]), neighbours: tf.tensor2d(row, [1, row.length]) };
}

/** The item-item offset of a state with weight `knn` over the clicks' row (none without one). */
function offsetOf(knn: number | undefined, row: SparseRow | null): ScoreOffset | null {
  return row ? { weight: knn ?? 0, row: row.row, items: row.items } : null;
}

function scalar(t: tf.Tensor): number {
  return t.dataSync()[0]!;
}

/** Steps as pure functions of host states: each returns a new state with its own sweep. */
function hostRun(model: AdaptModel, start: UserState, problem: AdaptProblem): KernelRun<HostState> {
  const items = hostItems(model.items);
  const p = model.params;
  const { feedback, neighbours: row } = problem;
  const fb = hostFeedback(feedback.clicks, feedback.negatives, problem.negativeWeight, feedback.clickWeights);
  const count = feedback.clickWeights ? feedback.clickWeights.reduce((a, b) => a + b, 0) : feedback.clicks.length;
  const trust = count / (count + Math.exp(scalar(p.logShrink)));
  const rates = {
    user: Float32Array.from(p.logLrUser.dataSync(), (l) => trust * Math.exp(l)),
    pop: Math.fround(trust * Math.exp(scalar(p.logLrPop))),
    knn: Math.fround(trust * Math.exp(scalar(p.logLrKnn))),
  };
  // A sweep that no step follows needs no gradient sums.
  const swept = (s: HostParams, last: boolean): HostState => ({ ...s, swept: sweep(items, s.user, s.pop, !last, offsetOf(s.knn, row)) });
  return {
    async first() {
      const started = read(start);
      return swept(row ? { ...started, knn: started.knn ?? 0 } : started, problem.steps === 0);
    },
    loss: async (state) => hostLoss(state.swept, fb),
    step: async (state, last) => swept(hostStep(items, state.user, state.pop, state.swept, fb, rates, offsetOf(state.knn, row)), last),
    keep(state) {
      const out = toTensors(state, row?.row);
      finalSweeps.set(out.user, { items, swept: state.swept });
      return out;
    },
    drop() {},
    dispose() {},
  };
}

/** The scores, possibly a buffer that the next sweep of this table overwrites: read them at once. */
function scoresOf(items: ItemTable, state: UserState): Float32Array {
  const host = hostItems(items);
  const known = finalSweeps.get(state.user);
  if (known?.items === host) return known.swept.scores;
  const s = read(state);
  const row = state.neighbours ? (state.neighbours.dataSync() as Float32Array) : null;
  return scoresOnly(host, s.user, s.pop, offsetOf(s.knn, row ? { row, items: offsetItems(row) } : null));
}
