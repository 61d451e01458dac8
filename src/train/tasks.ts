import * as tf from '@tensorflow/tfjs-core';
import type { TaskBatch } from '../core/meta';
import type { FeedbackBatch } from '../core/types';
import type { Rng } from '../math/rng';
import { recencyWeights } from '../core/recency';
import { leaveOneOutRow, type TrainingNeighbours } from './neighbours';
import { candidatePositions, candidateSet, candidateTensors, disposeCandidates, drawNegatives, type HostItemSide, type TaskSampling } from './negatives';
import { seqWeights } from '../core/transitions';
import { leaveOneOutTransitionRow, ownTransitions, type TrainingTransitions } from './transitions';

/** Shot counts a training task is drawn from: the protocol's, so training looks like use. */
export const TRAIN_SHOTS = [1, 2, 3, 5, 10, 20] as const;

/**
 * Rows with weight 1/|items| (or 1, unnormalized) on each listed item: over the
 * catalog (`width` its size), or with `at` (catalog → column) over the columns it names.
 */
export function normalizedRows(lists: readonly Int32Array[], width: number, normalize = true, at?: Int32Array): Float32Array {
  const out = new Float32Array(lists.length * width);
  lists.forEach((items, row) => {
    for (const i of items) out[row * width + (at ? at[i]! : i)]! += normalize ? 1 / items.length : 1;
  });
  return out;
}

/** Rows with weight w_j on the j-th listed item (weights per list, e.g. recency weights); `width` and `at` as normalizedRows. */
export function weightedRows(lists: readonly Int32Array[], weights: readonly ArrayLike<number>[], width: number, at?: Int32Array): Float32Array {
  const out = new Float32Array(lists.length * width);
  lists.forEach((items, row) => items.forEach((i, j) => (out[row * width + (at ? at[i]! : i)]! += weights[row]![j]!)));
  return out;
}

/** The columns a batch's rows are over: the catalog, or a sampled batch's candidates. */
interface Columns {
  readonly catalogSize: number;
  readonly width: number;
  /** The candidates (ascending catalog indices) and each catalog item's column (−1: none); absent: the catalog. */
  readonly ids?: Int32Array;
  readonly at?: Int32Array;
}

function columnsOf(catalogSize: number, ids?: Int32Array): Columns {
  return ids ? { catalogSize, width: ids.length, ids, at: candidatePositions(ids, catalogSize) } : { catalogSize, width: catalogSize };
}

/** One row per task filled over the catalog by `fill` (the item lists' leave-one-out rows), kept at the batch's columns. */
function listRows(batchSize: number, cols: Columns, fill: (b: number, out: Float32Array) => void): Float32Array {
  const { width, ids } = cols;
  const out = new Float32Array(batchSize * width);
  if (!ids) {
    for (let b = 0; b < batchSize; b++) fill(b, out.subarray(b * width, (b + 1) * width));
    return out;
  }
  // One catalog-sized scratch row for the whole batch: a candidate row costs O(C) beyond the fill.
  const scratch = new Float32Array(cols.catalogSize);
  for (let b = 0; b < batchSize; b++) {
    fill(b, scratch);
    for (let k = 0; k < width; k++) out[b * width + k] = scratch[ids[k]!]!;
  }
  return out;
}

/** How training tasks weigh clicks by recency (see core/recency). */
export interface TaskRecency {
  /** The decay the rows are built at. */
  readonly decay: number;
  /** Also build the rows' derivatives in the decay, so that training learns it. */
  readonly learn: boolean;
}

/**
 * A batch of tasks from users' ordered positives: support = the first k
 * (k drawn from `shots`, at most all but one), query = all the rest, as in the
 * evaluation protocol. Users' data carries no impressions, so no negatives.
 */
export function sampleTasks(users: readonly Int32Array[], catalogSize: number, batchSize: number, rng: Rng, options: TaskOptions = {}): TaskBatch {
  const { shots = TRAIN_SHOTS, neighbours, transitions, recency, nextClickShare = 0 } = options;
  const eligible = users.filter((u) => u.length >= 2);
  if (eligible.length === 0) throw new Error('No training user has 2 or more positives: nothing to split into support and query.');
  const supports: Int32Array[] = [];
  const queries: Int32Array[] = [];
  const owners: Int32Array[] = [];
  for (let b = 0; b < batchSize; b++) {
    const items = eligible[rng.int(eligible.length)]!;
    owners.push(items);
    if (nextClickShare > 0 && rng.next() < nextClickShare) {
      // A next-click task, as protocol v2 asks live: any history length, the one click that follows.
      const k = 1 + rng.int(Math.min(items.length - 1, 50));
      supports.push(items.subarray(0, k));
      queries.push(items.subarray(k, k + 1));
      continue;
    }
    const k = Math.min(shots[rng.int(shots.length)]!, items.length - 1);
    supports.push(items.subarray(0, k));
    queries.push(items.subarray(k));
  }
  const decay = recency?.decay ?? 1;
  const weights = supports.map((s) => recencyWeights(s.length, decay));
  const seq = supports.map((s) => seqWeights(s.length, decay));
  // A sampled batch is over its candidates: every row below has one column per candidate.
  const set = options.sampling ? sampledCandidates(supports, queries, options.sampling) : undefined;
  const cols = columnsOf(catalogSize, set?.ids);
  // Leave-one-out: everything the task's user contributed to the lists is taken out.
  const knnRows = (pick: 'weights' | 'dDecay'): Float32Array =>
    listRows(batchSize, cols, (b, out) => leaveOneOutRow(neighbours!, supports[b]!, new Set(owners[b]!), out, weights[b]![pick]));
  const own = transitions ? owners.map((u) => ownTransitions(u)) : [];
  const seqRows = (pick: 'weights' | 'dDecay'): Float32Array =>
    listRows(batchSize, cols, (b, out) => leaveOneOutTransitionRow(transitions!, supports[b]!, own[b]!, seq[b]![pick], out));
  const batch = taskBatch(supports, queries, catalogSize, neighbours ? knnRows('weights') : undefined, weights.map((w) => w.weights), set, options.itemSide);
  const shape: [number, number] = [batchSize, cols.width];
  const support = { ...batch.support, ...(transitions ? { transitions: tf.tensor2d(seqRows('weights'), shape) } : {}) };
  const extra = {
    ...(batch.candidates ? { candidates: batch.candidates } : {}),
    ...(batch.candidates && options.whole ? { whole: wholeTasks(supports, queries, cols, support) } : {}),
  };
  if (!recency?.learn) return { query: batch.query, support, ...extra };
  return {
    query: batch.query,
    ...extra,
    support: {
      ...support,
      decayAt: tf.tensor2d([decay], [1, 1]),
      positivesDecay: tf.tensor2d(weightedRows(supports, weights.map((w) => w.dDecay), cols.width, cols.at), shape),
      ...(neighbours ? { neighboursDecay: tf.tensor2d(knnRows('dDecay'), shape) } : {}),
      ...(transitions ? { transitionsDecay: tf.tensor2d(seqRows('dDecay'), shape) } : {}),
    },
  };
}

/** What sampleTasks builds besides the support and query rows. */
export interface TaskOptions {
  /** Shot counts of the v1-style tasks. */
  readonly shots?: readonly number[];
  readonly neighbours?: TrainingNeighbours | undefined;
  readonly transitions?: TrainingTransitions | undefined;
  readonly recency?: TaskRecency | undefined;
  /** Share of tasks whose query is the one next click. */
  readonly nextClickShare?: number;
  /** Run each task on a sampled sub-catalog (core/sampled) rather than the whole catalog. */
  readonly sampling?: TaskSampling | undefined;
  /** With sampling, also build each task's support and query as one task (Reptile adapts on it). */
  readonly whole?: boolean;
  /** With sampling, the host item side to cut the candidates' own inputs from (else the catalog's table is computed and gathered). */
  readonly itemSide?: HostItemSide | undefined;
}

/** C = the batch's clicks (support and query: always included, r = 1) ∪ the draws, with their log inclusion probabilities. */
function sampledCandidates(supports: readonly Int32Array[], queries: readonly Int32Array[], sampling: TaskSampling): { ids: Int32Array; logInclusion: Float32Array } {
  const clicked = new Set<number>();
  for (const list of [...supports, ...queries]) for (const i of list) clicked.add(i);
  return candidateSet(clicked, sampling.drawn ?? drawNegatives(sampling.sampler, sampling.rng), sampling.sampler);
}

/** Support and query as one task over the batch's columns, rows summing to 1 (what core/meta joinFeedback builds). */
function wholeTasks(supports: readonly Int32Array[], queries: readonly Int32Array[], cols: Columns, support: FeedbackBatch): FeedbackBatch {
  const lists = supports.map((s, b) => Int32Array.from(new Set([...s, ...queries[b]!])));
  return {
    positives: tf.tensor2d(normalizedRows(lists, cols.width, true, cols.at), [lists.length, cols.width]),
    count: tf.tensor2d(lists.map((l) => l.length), [lists.length, 1]),
    ...(support.neighbours ? { neighbours: support.neighbours.clone() } : {}),
    ...(support.transitions ? { transitions: support.transitions.clone() } : {}),
  };
}

/**
 * Tensors of a task batch built from explicit support and query lists; with
 * `candidates` (which must hold every listed item), every row is over them
 * ([B, C], `neighbourRows` too) and the batch carries them.
 */
export function taskBatch(
  supports: readonly Int32Array[],
  queries: readonly Int32Array[],
  catalogSize: number,
  neighbourRows?: Float32Array,
  supportWeights?: readonly ArrayLike<number>[],
  candidates?: { ids: Int32Array; logInclusion: Float32Array },
  side?: HostItemSide,
): TaskBatch {
  const b = supports.length;
  const cols = columnsOf(catalogSize, candidates?.ids);
  const { width, at } = cols;
  if (at) {
    for (const list of [...supports, ...queries]) {
      for (const i of list) if (at[i]! < 0) throw new Error(`Item ${i} of a task is not among the batch's ${width} candidates: build candidates from every support and query click (train/negatives candidateSet).`);
    }
  }
  const support = supportWeights ? weightedRows(supports, supportWeights, width, at) : normalizedRows(supports, width, true, at);
  return {
    support: {
      positives: tf.tensor2d(support, [b, width]),
      count: tf.tensor2d(supports.map((s) => s.length), [b, 1]),
      ...(neighbourRows ? { neighbours: tf.tensor2d(neighbourRows, [b, width]) } : {}),
    },
    query: {
      // Every held-out click counts once (meta.ts averages over clicks), so users
      // with long histories weigh as they do in the protocol's metrics.
      positives: tf.tensor2d(normalizedRows(queries, width, false, at), [b, width]),
      // The query is ranked among candidates only, as in evaluation: not the support.
      excluded: tf.tensor2d(support.map((w) => (w > 0 ? 1 : 0)), [b, width]),
    },
    ...(candidates ? { candidates: candidateTensors(candidates, side) } : {}),
  };
}

export function disposeTasks(batch: TaskBatch): void {
  if (batch.candidates) disposeCandidates(batch.candidates);
  for (const f of [batch.support, batch.query, ...(batch.whole ? [batch.whole] : [])]) {
    tf.dispose(
      [f.positives, f.negatives, f.excluded, f.count, f.neighbours, f.transitions, f.decayAt, f.positivesDecay, f.neighboursDecay, f.transitionsDecay].filter((t) => t !== undefined),
    );
  }
}
