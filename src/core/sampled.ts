// Sampled softmax for training losses over a large catalog (docs/TRAINING.md,
// "Sampled softmax"): instead of every item, a batch scores the candidates
// C = P ∪ D (P: the batch's positives, D: popularity-drawn negatives), each
// logit corrected by −log r_i, its inclusion probability, so that the
// log-sum-exp over C is the Horvitz–Thompson estimate of the catalog's.
//
// A meta-training batch runs whole on the sub-catalog C (candidateTable): the
// item table's rows at C, −log r_i folded into their scores, and every row of
// the batch (support, query, item-item, transitions) over C's columns. The
// inner loop, the start and the query loss are then the full-catalog functions
// on a smaller catalog, and a task costs O(C × dim) instead of O(items × dim).
import * as tf from '@tensorflow/tfjs-core';
import { timesTransposed } from './product';
import { computeItemTable, feedbackLoss } from './model';
import type { MetaParams } from './params';
import { gatherColumns, gatherRows } from './sparse';
import type { FeedbackBatch, ItemInputs, ItemTable, UserBatch } from './types';

/** The candidates of one batch, shared by all its rows. */
export interface Candidates {
  /** [C] catalog indices, ascending and distinct. */
  readonly ids: tf.Tensor1D;
  /** [1, C] log r_i: 0 for items always in C (the batch's clicks), log(1 − (1 − q_i)^S) for drawn negatives. */
  readonly logInclusion: tf.Tensor2D;
  /**
   * The item-side inputs of the candidate rows alone (row k: item ids[k]), so
   * that only their table is computed; without, the catalog's table is
   * computed and its rows gathered (the same values, at catalog cost).
   */
  readonly inputs?: ItemInputs;
}

/**
 * The item table of the candidates, [C] rows, with −log r_i as the score
 * offset: differentiable in the meta-parameters. `rowParams`: the item-indexed
 * parameters (ITEM_ROW_NAMES) of `params` are already the candidates' rows,
 * [C, …] (a lazy-Adam step differentiates those rows alone); needs `candidates.inputs`.
 */
export function candidateTable(params: MetaParams, inputs: ItemInputs, candidates: Candidates, rowParams = false): ItemTable {
  return tf.tidy(() => {
    const { ids } = candidates;
    if (rowParams && !candidates.inputs) throw new Error('A step on the candidates\' rows needs their own item inputs: build the batch with train/tasks sampleTasks and an itemSide.');
    const rows = rowParams
      ? computeItemTable(params, candidates.inputs!)
      : candidates.inputs
        ? computeItemTable(params, candidates.inputs, ids)
        : gatherTable(computeItemTable(params, inputs), ids);
    if (rows.vectors.shape[0] !== ids.shape[0]) {
      throw new Error(`Candidate inputs describe ${rows.vectors.shape[0]} items, expected one per candidate (${ids.shape[0]}): build them with train/negatives candidateInputs.`);
    }
    return { ...rows, offset: tf.neg(tf.reshape(candidates.logInclusion, [-1])) as tf.Tensor1D };
  });
}

/** Rows `ids` of a full table. */
function gatherTable(items: ItemTable, ids: tf.Tensor1D): ItemTable {
  return {
    vectors: gatherRows(items.vectors, ids),
    bias: tf.reshape(gatherRows(tf.reshape(items.bias, [-1, 1]) as tf.Tensor2D, ids), [-1]) as tf.Tensor1D,
    context: gatherRows(items.context, ids),
  };
}

/** Scores of the candidates only, [B, C]: the columns `ids` of scoreBatch, differentiable in the item table and the users. */
export function candidateScores(items: ItemTable, users: UserBatch, candidates: Candidates): tf.Tensor2D {
  return tf.tidy(() => {
    const { ids } = candidates;
    const vectors = gatherRows(items.vectors, ids);
    const bias = tf.reshape(gatherRows(tf.reshape(items.bias, [-1, 1]) as tf.Tensor2D, ids), [1, -1]);
    let scores = tf.add(timesTransposed(users.user, vectors), tf.mul(users.pop, bias)) as tf.Tensor2D;
    if (users.knn && users.neighbours) scores = tf.add(scores, tf.mul(users.knn, gatherColumns(users.neighbours, ids))) as tf.Tensor2D;
    if (users.seq && users.transitions) scores = tf.add(scores, tf.mul(users.seq, gatherColumns(users.transitions, ids))) as tf.Tensor2D;
    return scores;
  });
}

/**
 * Per-user sampled loss [B]: feedbackLoss over the candidates with every logit
 * lowered by log r_i (logQ correction). `feedback` rows are over the
 * candidates ([B, C]): positives, and the excluded items (the support).
 */
export function sampledLoss(scores: tf.Tensor2D, feedback: FeedbackBatch, candidates: Candidates): tf.Tensor1D {
  return tf.tidy(() => feedbackLoss(tf.sub(scores, candidates.logInclusion) as tf.Tensor2D, feedback));
}
