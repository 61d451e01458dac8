// Sampled softmax for training losses over a large catalog (docs/TRAINING.md,
// "Sampled softmax"): instead of every item, a batch scores the candidates
// C = P ∪ D (P: the batch's positives, D: popularity-drawn negatives), each
// logit corrected by −log r_i, its inclusion probability, so that the
// log-sum-exp over C is the Horvitz–Thompson estimate of the catalog's.
import * as tf from '@tensorflow/tfjs-core';
import { feedbackLoss } from './model';
import { gatherColumns, gatherRows } from './sparse';
import type { FeedbackBatch, ItemTable, UserBatch } from './types';

/** The candidates of one batch, shared by all its rows. */
export interface Candidates {
  /** [C] catalog indices, ascending and distinct. */
  readonly ids: tf.Tensor1D;
  /** [1, C] log r_i: 0 for the batch's positives (always present), log(1 − (1 − q_i)^S) for drawn negatives. */
  readonly logInclusion: tf.Tensor2D;
}

/** Scores of the candidates only, [B, C]: the columns `ids` of scoreBatch, differentiable in the item table and the users. */
export function candidateScores(items: ItemTable, users: UserBatch, candidates: Candidates): tf.Tensor2D {
  return tf.tidy(() => {
    const { ids } = candidates;
    const vectors = gatherRows(items.vectors, ids);
    const bias = tf.reshape(gatherRows(tf.reshape(items.bias, [-1, 1]) as tf.Tensor2D, ids), [1, -1]);
    let scores = tf.add(tf.matMul(users.user, vectors, false, true), tf.mul(users.pop, bias)) as tf.Tensor2D;
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
