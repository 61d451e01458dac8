import * as tf from '@tensorflow/tfjs-core';
import { times, timesTransposed } from './product';
import type { MetaParams } from './params';
import { contentProduct, gatherRows } from './sparse';
import type { FeedbackBatch, ItemInputs, ItemTable, UserBatch } from './types';

/**
 * The score of item i for user b is `U[b]·V[i] + P[b]·bias[i]`:
 * a user vector against item vectors, plus a user-specific weight on the item
 * popularity prior. V and bias are computed once per model ("item table") so
 * that ranking a catalog is one matrix product, whatever its size.
 *
 * Items: `V = X·contentW + warm ⊙ itemEmb` and
 * `bias = X·contentBias + warm ⊙ itemBias + popWeight · log(1 + count)`
 * with X the sparse content features (feature 0 is a constant 1; core/features), warm = 1
 * for items seen in training and count the training users who clicked the item.
 * Cold items are therefore scored from content alone.
 */

/** Score offset that takes an excluded item out of the softmax. */
const EXCLUDED_OFFSET = -1e4;

/** Scores with the excluded items pushed out of the softmax. */
function candidateScores(scores: tf.Tensor2D, feedback: FeedbackBatch): tf.Tensor2D {
  return feedback.excluded ? tf.add(scores, tf.mul(feedback.excluded, EXCLUDED_OFFSET)) : scores;
}

/**
 * Item vectors and bias from the meta-parameters (differentiable). With `rows`
 * (ascending, distinct catalog indices), the table of those items alone:
 * `inputs` then describe just them, row k being item rows[k].
 */
export function computeItemTable(params: MetaParams, inputs: ItemInputs, rows?: tf.Tensor1D): ItemTable {
  if (rows) return tf.tidy(() => computeItemTable(rowsOf(params, rows), inputs));
  return tf.tidy(() => {
    // One sparse product for the three content maps: [features, dim | 1 | dim].
    const dim = params.contentW.shape[1]!;
    const maps = tf.concat([params.contentW, tf.reshape(params.contentBias, [-1, 1]), params.contentCtx], 1) as tf.Tensor2D;
    const content = contentProduct(inputs.features, maps);
    const [fromW, fromBias, fromCtx] = tf.split(content, [dim, 1, dim], 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const vectors = tf.add(fromW, tf.mul(inputs.warm, params.itemEmb)) as tf.Tensor2D;
    const bias = tf.add(fromBias, tf.add(tf.mul(inputs.warm, tf.reshape(params.itemBias, [-1, 1])), tf.mul(inputs.logPop, params.popWeight)));
    const context = tf.add(fromCtx, tf.mul(inputs.warm, params.ctxEmb)) as tf.Tensor2D;
    return { vectors, bias: tf.reshape(bias, [-1]) as tf.Tensor1D, context };
  });
}

/** The per-item parameters at `rows` (differentiable: their gradients land back on those rows). */
function rowsOf(params: MetaParams, rows: tf.Tensor1D): MetaParams {
  return {
    ...params,
    itemEmb: gatherRows(params.itemEmb as tf.Tensor2D, rows),
    itemBias: tf.reshape(gatherRows(tf.reshape(params.itemBias, [-1, 1]) as tf.Tensor2D, rows), [-1]) as tf.Tensor1D,
    ctxEmb: gatherRows(params.ctxEmb as tf.Tensor2D, rows),
  };
}

/** Scores of every item for every user in the batch: [B, items]. */
export function scoreBatch(items: ItemTable, users: UserBatch): tf.Tensor2D {
  return tf.tidy(() => {
    const raw = tf.add(
      items.vectorsT ? tf.matMul(users.user, items.vectorsT) : timesTransposed(users.user, items.vectors),
      tf.mul(users.pop, tf.reshape(items.bias, [1, -1])),
    ) as tf.Tensor2D;
    const scores = items.offset ? (tf.add(raw, tf.reshape(items.offset, [1, -1])) as tf.Tensor2D) : raw;
    const withKnn = users.knn && users.neighbours ? (tf.add(scores, tf.mul(users.knn, users.neighbours)) as tf.Tensor2D) : scores;
    return users.seq && users.transitions ? (tf.add(withKnn, tf.mul(users.seq, users.transitions)) as tf.Tensor2D) : withKnn;
  });
}

/**
 * Scores restricted to the slate: the clicked and the shown items (all others
 * pushed out of the softmax). The slate term models "of what I was shown, I
 * chose this": items shown and not clicked lose to the clicked ones.
 */
function slateScores(scores: tf.Tensor2D, feedback: FeedbackBatch, negatives: tf.Tensor2D): tf.Tensor2D {
  const onSlate = tf.cast(tf.greater(tf.add(feedback.positives, negatives), 0), 'float32');
  return tf.add(candidateScores(scores, feedback), tf.mul(tf.sub(1, onSlate), EXCLUDED_OFFSET));
}

/**
 * Per-user loss [B]: softmax cross-entropy of the clicked items over the whole
 * catalog (every other candidate is an implicit negative), plus, weighted by
 * the row's total negative weight λ, the cross-entropy of the clicked items
 * among the slate of shown items (shown and not clicked = chosen against).
 */
export function feedbackLoss(scores: tf.Tensor2D, feedback: FeedbackBatch): tf.Tensor1D {
  return tf.tidy(() => {
    const catalog = tf.neg(tf.sum(tf.mul(feedback.positives, tf.logSoftmax(candidateScores(scores, feedback))), 1));
    if (!feedback.negatives) return catalog as tf.Tensor1D;
    const slate = tf.neg(tf.sum(tf.mul(feedback.positives, tf.logSoftmax(slateScores(scores, feedback, feedback.negatives))), 1));
    return tf.add(catalog, tf.mul(tf.sum(feedback.negatives, 1), slate)) as tf.Tensor1D;
  });
}

/**
 * d loss / d scores [B, items] in closed form: `(p·Σpos − pos) + λ·(q·Σpos − pos)`
 * with p the catalog softmax and q the slate softmax. Built from ordinary ops,
 * so it is itself differentiable: second-order MAML differentiates through it.
 */
export function feedbackScoreGrad(scores: tf.Tensor2D, feedback: FeedbackBatch): tf.Tensor2D {
  return tf.tidy(() => {
    const total = tf.sum(feedback.positives, 1, true);
    const p = tf.softmax(candidateScores(scores, feedback));
    const catalog = tf.sub(tf.mul(p, total), feedback.positives);
    if (!feedback.negatives) return catalog as tf.Tensor2D;
    const lambda = tf.sum(feedback.negatives, 1, true);
    const q = tf.softmax(slateScores(scores, feedback, feedback.negatives));
    const slate = tf.sub(tf.mul(q, total), feedback.positives);
    return tf.add(catalog, tf.mul(lambda, slate)) as tf.Tensor2D;
  });
}

/** Gradients of the summed per-user loss with respect to each user's parameters (`neighbours`: none). */
export function userGrad(items: ItemTable, users: UserBatch, feedback: FeedbackBatch): UserBatch {
  return tf.tidy(() => {
    const g = feedbackScoreGrad(scoreBatch(items, users), feedback);
    return {
      user: times(g, items.vectors),
      pop: tf.sum(tf.mul(g, tf.reshape(items.bias, [1, -1])), 1, true) as tf.Tensor2D,
      ...(users.knn && users.neighbours ? { knn: tf.sum(tf.mul(g, users.neighbours), 1, true) as tf.Tensor2D } : {}),
      ...(users.seq && users.transitions ? { seq: tf.sum(tf.mul(g, users.transitions), 1, true) as tf.Tensor2D } : {}),
    };
  });
}
