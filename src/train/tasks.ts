import * as tf from '@tensorflow/tfjs-core';
import type { TaskBatch } from '../core/meta';
import type { Rng } from '../math/rng';
import { recencyWeights } from '../core/recency';
import { leaveOneOutRow, type TrainingNeighbours } from './neighbours';
import { seqWeights } from '../core/transitions';
import { leaveOneOutTransitionRow, ownTransitions, type TrainingTransitions } from './transitions';

/** Shot counts a training task is drawn from: the protocol's, so training looks like use. */
export const TRAIN_SHOTS = [1, 2, 3, 5, 10, 20] as const;

/** Rows over the catalog with weight 1/|items| (or 1, unnormalized) on each listed item. */
export function normalizedRows(lists: readonly Int32Array[], catalogSize: number, normalize = true): Float32Array {
  const out = new Float32Array(lists.length * catalogSize);
  lists.forEach((items, row) => {
    for (const i of items) out[row * catalogSize + i]! += normalize ? 1 / items.length : 1;
  });
  return out;
}

/** Rows over the catalog with weight w_j on the j-th listed item (weights per list, e.g. recency weights). */
export function weightedRows(lists: readonly Int32Array[], weights: readonly ArrayLike<number>[], catalogSize: number): Float32Array {
  const out = new Float32Array(lists.length * catalogSize);
  lists.forEach((items, row) => items.forEach((i, j) => (out[row * catalogSize + i]! += weights[row]![j]!)));
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
  const slice = (out: Float32Array, b: number): Float32Array => out.subarray(b * catalogSize, (b + 1) * catalogSize);
  // Leave-one-out: everything the task's user contributed to the lists is taken out.
  const knnRows = (pick: 'weights' | 'dDecay'): Float32Array => {
    const out = new Float32Array(batchSize * catalogSize);
    supports.forEach((s, b) => leaveOneOutRow(neighbours!, s, new Set(owners[b]!), slice(out, b), weights[b]![pick]));
    return out;
  };
  const own = transitions ? owners.map((u) => ownTransitions(u)) : [];
  const seqRows = (pick: 'weights' | 'dDecay'): Float32Array => {
    const out = new Float32Array(batchSize * catalogSize);
    supports.forEach((s, b) => leaveOneOutTransitionRow(transitions!, s, own[b]!, seq[b]![pick], slice(out, b)));
    return out;
  };
  const batch = taskBatch(supports, queries, catalogSize, neighbours ? knnRows('weights') : undefined, weights.map((w) => w.weights));
  const shape: [number, number] = [batchSize, catalogSize];
  const support = { ...batch.support, ...(transitions ? { transitions: tf.tensor2d(seqRows('weights'), shape) } : {}) };
  if (!recency?.learn) return { query: batch.query, support };
  return {
    query: batch.query,
    support: {
      ...support,
      decayAt: tf.tensor2d([decay], [1, 1]),
      positivesDecay: tf.tensor2d(weightedRows(supports, weights.map((w) => w.dDecay), catalogSize), shape),
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
}

/** Tensors of a task batch built from explicit support and query lists. */
export function taskBatch(
  supports: readonly Int32Array[],
  queries: readonly Int32Array[],
  catalogSize: number,
  neighbourRows?: Float32Array,
  supportWeights?: readonly ArrayLike<number>[],
): TaskBatch {
  const b = supports.length;
  const support = supportWeights ? weightedRows(supports, supportWeights, catalogSize) : normalizedRows(supports, catalogSize);
  return {
    support: {
      positives: tf.tensor2d(support, [b, catalogSize]),
      count: tf.tensor2d(supports.map((s) => s.length), [b, 1]),
      ...(neighbourRows ? { neighbours: tf.tensor2d(neighbourRows, [b, catalogSize]) } : {}),
    },
    query: {
      // Every held-out click counts once (meta.ts averages over clicks), so users
      // with long histories weigh as they do in the protocol's metrics.
      positives: tf.tensor2d(normalizedRows(queries, catalogSize, false), [b, catalogSize]),
      // The query is ranked among candidates only, as in evaluation: not the support.
      excluded: tf.tensor2d(support.map((w) => (w > 0 ? 1 : 0)), [b, catalogSize]),
    },
  };
}

export function disposeTasks(batch: TaskBatch): void {
  for (const f of [batch.support, batch.query]) {
    tf.dispose(
      [f.positives, f.negatives, f.excluded, f.count, f.neighbours, f.transitions, f.decayAt, f.positivesDecay, f.neighboursDecay, f.transitionsDecay].filter((t) => t !== undefined),
    );
  }
}
