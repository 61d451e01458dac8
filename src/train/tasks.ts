import * as tf from '@tensorflow/tfjs-core';
import type { TaskBatch } from '../core/meta';
import type { Rng } from '../math/rng';
import { leaveOneOutRow, type TrainingNeighbours } from './neighbours';

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

/**
 * A batch of tasks from users' ordered positives: support = the first k
 * (k drawn from `shots`, at most all but one), query = all the rest, as in the
 * evaluation protocol. Users' data carries no impressions, so no negatives.
 */
export function sampleTasks(
  users: readonly Int32Array[],
  catalogSize: number,
  batchSize: number,
  rng: Rng,
  shots: readonly number[] = TRAIN_SHOTS,
  neighbours?: TrainingNeighbours,
): TaskBatch {
  const eligible = users.filter((u) => u.length >= 2);
  if (eligible.length === 0) throw new Error('No training user has 2 or more positives: nothing to split into support and query.');
  const supports: Int32Array[] = [];
  const queries: Int32Array[] = [];
  const rows = neighbours ? new Float32Array(batchSize * catalogSize) : undefined;
  for (let b = 0; b < batchSize; b++) {
    const items = eligible[rng.int(eligible.length)]!;
    const k = Math.min(shots[rng.int(shots.length)]!, items.length - 1);
    supports.push(items.subarray(0, k));
    queries.push(items.subarray(k));
    if (rows) leaveOneOutRow(neighbours!, items.subarray(0, k), new Set(items), rows.subarray(b * catalogSize, (b + 1) * catalogSize));
  }
  return taskBatch(supports, queries, catalogSize, rows);
}

/** Tensors of a task batch built from explicit support and query lists. */
export function taskBatch(
  supports: readonly Int32Array[],
  queries: readonly Int32Array[],
  catalogSize: number,
  neighbourRows?: Float32Array,
): TaskBatch {
  const b = supports.length;
  const support = normalizedRows(supports, catalogSize);
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
  for (const f of [batch.support, batch.query]) tf.dispose([f.positives, f.negatives, f.excluded, f.count, f.neighbours].filter((t) => t !== undefined));
}
