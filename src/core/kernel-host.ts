import * as tf from '@tensorflow/tfjs-core';
import { hostFeedback, hostLoss, hostStep, isCurrent, scoresOnly, sweep, type HostItems, type ScoreOffset, type Sweep } from './host-kernel';
import { keptRank, keptTop } from './kept-top';
import { addRow } from './int8-rows';
import { isQuantized } from './item-table';
import { simdTable } from './simd-kernel';
import type { AdaptKernel, AdaptModel, AdaptProblem, AnyItemTable, KernelRun, SparseRow, UserState } from './types';

/**
 * The click path on host loops (host-kernel.ts, with its SIMD module where one
 * runs) over host copies of the item table: one catalog sweep per step. For
 * backends whose tensors live in host memory (cpu, wasm): it reads them with
 * dataSync, which GPU backends cannot do correctly.
 */
export const hostKernel: AdaptKernel = {
  name: 'host',

  /** As startUsers: the initialization plus the clicks' weighted mean context vector, and the offset weights' starts. */
  initialState(model, clicks, signals) {
    const p = model.params;
    const user = Float32Array.from(p.userInit.dataSync());
    const trust = evidenceOf(signals.count, p);
    if (clicks.length > 0) addContext(model.items, clicks, Float64Array.from(signals.weights, (w) => scalar(p.protoScale) * trust * w), user);
    const knn = signals.neighbours ? { knn: Math.fround(Math.exp(scalar(p.logKnnInit)) * trust) } : {};
    // The sequential weight has no evidence factor: one click's successors say as much as fifty's.
    const seq = signals.transitions ? { seq: Math.fround(Math.exp(scalar(p.logSeqInit))) } : {};
    return toTensors({ user, pop: scalar(p.popInit), ...knn, ...seq }, signals);
  },

  run: hostRun,

  /** From the adaptation's last sweep when there is one. */
  scores: async (items, state) => scoresOf(items, state).slice(),

  /** Scores, then a partial top-k selection, kept with the state: the next ranking of the same state filters it. */
  rank: async (items, state, k, exclude) => keptTop(state.user, hostItems(items), k, new Set(exclude), () => scoresOf(items, state)),

  /** From the kept top when the target is in it (a click on a recommended item), else counted on the kept scores in place (no copy of them). */
  rankOf: async (items, state, target, exclude) => {
    const skip = new Set(exclude);
    return keptRank(state.user, hostItems(items), target, skip) ?? rankIn(scoresOf(items, state), target, skip);
  },
};

/** The protocol's rank (protocol/metrics rankOf): 1 + the items before `target`, by higher score or, equal, lower index; NaN last. */
export function rankIn(scores: Float32Array, target: number, exclude: ReadonlySet<number>): number {
  if (!(target >= 0 && target < scores.length)) throw new Error(`Item index ${target} is outside the ${scores.length} scores.`);
  const clean = (s: number): number => (s === s ? s : -Infinity);
  const t = clean(scores[target]!);
  let before = 0;
  if (t === -Infinity) {
    for (let i = 0; i < scores.length; i++) {
      const s = clean(scores[i]!);
      if (i !== target && (s > t || i < target)) before++;
    }
  } else {
    // Two tight loops (NaN compares false, as -Infinity would against a finite t): equal scores count before the target only.
    // The comparison is added, not branched on: which items score above the target is as good as random, and the
    // mispredicted branches made the count ~4x slower (1M items: ~5 → ~1.2 ms).
    for (let i = 0; i < target; i++) before += +(scores[i]! >= t);
    for (let i = target + 1; i < scores.length; i++) before += +(scores[i]! > t);
  }
  // The excluded items were counted with the rest; fewer of them than the catalog, so taken back one by one.
  for (const i of exclude) {
    const s = i >= 0 && i < scores.length && i !== target ? clean(scores[i]!) : -Infinity;
    if (s > t || (s === t && i < target)) before--;
  }
  return before + 1;
}

/** `user += Σ_c weights[c] · C_{clicks[c]}`: the clicks' context rows, from tensors or int8 rows. */
function addContext(items: AnyItemTable, clicks: Int32Array, weights: Float64Array, user: Float32Array): void {
  const dim = user.length;
  if (isQuantized(items)) {
    const acc = Float64Array.from(user);
    clicks.forEach((c, j) => addRow(items.context, c, weights[j]!, acc));
    for (let d = 0; d < dim; d++) user[d] = acc[d]!;
    return;
  }
  const gathered = tf.gather(items.context, clicks);
  const rows = gathered.dataSync();
  gathered.dispose();
  for (let c = 0; c < clicks.length; c++) {
    for (let d = 0; d < dim; d++) user[d]! += weights[c]! * rows[c * dim + d]!;
  }
}

// Item tables never change once built (tfjs tensors are immutable), so one host
// copy per table serves every click. Keyed weakly: a dropped model frees it.
const hostTables = new WeakMap<object, HostItems>();

/** The host form of an item table: an int8 table as it is, a tensor table copied once (host backends only). */
export function hostItems(items: AnyItemTable): HostItems {
  const key = isQuantized(items) ? items : items.vectors;
  let host = hostTables.get(key);
  if (!host) {
    host = isQuantized(items) ? { kind: 'int8', n: items.vectors.n, dim: items.vectors.dim, rows: items.kernel.rows, bias: items.kernel.bias, simd: items.kernel } : floatHostItems(items);
    hostTables.set(key, host);
  }
  return host;
}

function floatHostItems(items: { vectors: tf.Tensor2D; bias: tf.Tensor1D }): HostItems {
  const [n, dim] = items.vectors.shape;
  const vectors = items.vectors.dataSync() as Float32Array;
  const bias = items.bias.dataSync() as Float32Array;
  const simd = simdTable(n, dim, vectors, bias);
  // With the kernel, its memory holds the only host copy.
  return simd ? { kind: 'float32', n, dim, vectors: simd.vectors, bias: simd.bias, simd } : { kind: 'float32', n, dim, vectors, bias, simd: null };
}

// The last sweep of an adapted state is exactly the ranking's scores: kept so
// that rank() right after adapt() need not sweep the catalog again (while no
// other sweep has overwritten the kernel's buffer: isCurrent), with what
// scores the state again when one has.
const finalSweeps = new WeakMap<tf.Tensor, { readonly items: HostItems; readonly swept: Sweep; readonly state: HostParams; readonly rows: Rows }>();

/** A visitor's parameters on the host. */
interface HostParams {
  readonly user: Float32Array;
  readonly pop: number;
  /** The item-item weight, with models that have neighbours. */
  readonly knn?: number;
  /** The sequential weight, with models that have transition lists. */
  readonly seq?: number;
}

/** A state of a host run: the parameters and their sweep of the catalog (scores, softmax sums). */
interface HostState extends HostParams {
  readonly swept: Sweep;
}

function read(state: UserState): HostParams {
  const out = { user: state.user.dataSync() as Float32Array, pop: state.pop.dataSync()[0]! };
  const knn = state.knn ? { knn: state.knn.dataSync()[0]! } : {};
  const seq = state.seq ? { seq: state.seq.dataSync()[0]! } : {};
  return { ...out, ...knn, ...seq };
}

/** The two offset rows a state is scored with (either may be absent). */
interface Rows {
  readonly neighbours: SparseRow | null;
  readonly transitions: SparseRow | null;
}

/** Tensors of host parameters with their offset rows, shared (sparse rows are never mutated; a weight missing from `state` starts at 0). */
function toTensors(state: HostParams, rows: Rows): UserState {
  const out = { user: tf.tensor2d(state.user, [1, state.user.length]), pop: tf.tensor2d([state.pop], [1, 1]) };
  const knn = rows.neighbours ? { knn: tf.tensor2d([state.knn ?? 0], [1, 1]), neighbours: rows.neighbours } : {};
  const seq = rows.transitions ? { seq: tf.tensor2d([state.seq ?? 0], [1, 1]), transitions: rows.transitions } : {};
  return { ...out, ...knn, ...seq };
}

/** The offset of a state over its rows: the item-item term, then the sequential one (none without rows). */
function offsetOf(state: HostParams, rows: Rows): ScoreOffset | null {
  const terms = [
    ...(rows.neighbours ? [{ weight: state.knn ?? 0, row: rows.neighbours }] : []),
    ...(rows.transitions ? [{ weight: state.seq ?? 0, row: rows.transitions }] : []),
  ];
  return terms.length ? { terms } : null;
}

/** The new weights of a step, back on the state's names (same order as offsetOf's terms). */
function weightsOf(offsets: readonly number[], rows: Rows): Pick<HostParams, 'knn' | 'seq'> {
  const knn = rows.neighbours ? { knn: offsets[0]! } : {};
  const seq = rows.transitions ? { seq: offsets[rows.neighbours ? 1 : 0]! } : {};
  return { ...knn, ...seq };
}

/** How much `count` clicks are trusted: count / (count + κ). */
function evidenceOf(count: number, p: AdaptModel['params']): number {
  return count / (count + Math.exp(scalar(p.logShrink)));
}

function scalar(t: tf.Tensor): number {
  return t.dataSync()[0]!;
}

/** Steps as pure functions of host states: each returns a new state with its own sweep. */
function hostRun(model: AdaptModel, start: UserState, problem: AdaptProblem): KernelRun<HostState> {
  const items = hostItems(model.items);
  const p = model.params;
  const { feedback, signals } = problem;
  const rows = { neighbours: signals.neighbours, transitions: signals.transitions };
  const fb = hostFeedback(feedback.clicks, feedback.negatives, problem.negativeWeight, signals.weights);
  const trust = evidenceOf(signals.count, p);
  const rate = (log: tf.Tensor) => Math.fround(trust * Math.exp(scalar(log)));
  const rates = {
    user: Float32Array.from(p.logLrUser.dataSync(), (l) => trust * Math.exp(l)),
    pop: rate(p.logLrPop),
    offsets: [...(rows.neighbours ? [rate(p.logLrKnn)] : []), ...(rows.transitions ? [rate(p.logLrSeq)] : [])],
  };
  // A sweep that no step follows needs no gradient sums.
  const swept = (s: HostParams, last: boolean): HostState => ({ ...s, swept: sweep(items, s.user, s.pop, !last, offsetOf(s, rows)) });
  // A state's sweep, its scores swept again if a ranking (between two steps) overwrote the kernel's buffer:
  // the sums and logZ are the sweep's own, only the scores need the buffer, and the same parameters give the same scores.
  const current = (s: HostState): Sweep => (isCurrent(s.swept) ? s.swept : { ...s.swept, ...sweepScores(items, s, rows) });
  return {
    async first() {
      // The state is scored with this run's rows; a weight it lacks (saved by a model without the term) starts at 0.
      const { user, pop, knn, seq } = read(start);
      return swept({ user, pop, ...(rows.neighbours ? { knn: knn ?? 0 } : {}), ...(rows.transitions ? { seq: seq ?? 0 } : {}) }, problem.steps === 0);
    },
    loss: async (state) => hostLoss(current(state), fb),
    step: async (state, last) => {
      const next = hostStep(items, state.user, state.pop, current(state), fb, rates, offsetOf(state, rows));
      return swept({ user: next.user, pop: next.pop, ...weightsOf(next.offsets, rows) }, last);
    },
    keep(state) {
      const out = toTensors(state, rows);
      finalSweeps.set(out.user, { items, swept: state.swept, state, rows });
      return out;
    },
    drop() {},
    dispose() {},
  };
}

/** Scores of host parameters over their rows again (a lease on the kernel's buffer, as sweep's). */
function sweepScores(items: HostItems, state: HostParams, rows: Rows): Pick<Sweep, 'scores' | 'lease'> {
  const swept = sweep(items, state.user, state.pop, false, offsetOf(state, rows));
  return { scores: swept.scores, ...(swept.lease ? { lease: swept.lease } : {}) };
}

/** The scores, possibly a buffer that the next sweep of this table overwrites: read them at once. */
function scoresOf(items: AnyItemTable, state: UserState): Float32Array {
  const host = hostItems(items);
  const known = finalSweeps.get(state.user);
  if (known?.items === host) return isCurrent(known.swept) ? known.swept.scores : sweepScores(host, known.state, known.rows).scores;
  const s = read(state);
  return scoresOnly(host, s.user, s.pop, offsetOf(s, { neighbours: state.neighbours ?? null, transitions: state.transitions ?? null }));
}
