import * as tf from '@tensorflow/tfjs-core';
import { times } from './product';
import type { AdaptParams } from './params';
import { userGrad } from './model';
import type { FeedbackBatch, ItemTable, UserBatch } from './types';

/**
 * The inner loop, vectorised over a batch of users: every user's parameters are
 * one row of a [B, dim] tensor, so a batch of tasks is a few matrix products,
 * not a JavaScript loop. The same functions adapt a single visitor (B = 1) in
 * the browser, so the trainer and the runtime run exactly the same math.
 */

/** Per-step learning rates: one per user-vector coordinate, one for the popularity weight. */
export interface InnerRates {
  /** [B, dim] */
  readonly user: tf.Tensor2D;
  /** [B, 1] */
  readonly pop: tf.Tensor2D;
  /** [B, 1], when the feedback has neighbour rows. */
  readonly knn?: tf.Tensor2D;
  /** [B, 1], when the feedback has transition rows. */
  readonly seq?: tf.Tensor2D;
}

/** How much k clicks are trusted: k / (k + κ), per user [B, 1]. */
export function evidence(params: AdaptParams, feedback: FeedbackBatch): tf.Tensor2D {
  return tf.tidy(() => {
    const count = feedback.count ?? tf.ones([feedback.positives.shape[0], 1]);
    return tf.div(count, tf.add(count, tf.exp(params.logShrink))) as tf.Tensor2D;
  });
}

/**
 * Meta-SGD learning rates from their logs (positive by construction), scaled per
 * user by the evidence of their clicks so that one click moves less than twenty.
 */
export function innerRates(params: AdaptParams, feedback: FeedbackBatch): InnerRates {
  return tf.tidy(() => {
    const trust = evidence(params, feedback);
    return {
      user: tf.mul(trust, tf.reshape(tf.exp(params.logLrUser), [1, -1])) as tf.Tensor2D,
      pop: tf.mul(trust, tf.reshape(tf.exp(params.logLrPop), [1, 1])) as tf.Tensor2D,
      ...(feedback.neighbours ? { knn: tf.mul(trust, tf.reshape(tf.exp(params.logLrKnn), [1, 1])) as tf.Tensor2D } : {}),
      ...(feedback.transitions ? { seq: tf.mul(trust, tf.reshape(tf.exp(params.logLrSeq), [1, 1])) as tf.Tensor2D } : {}),
    };
  });
}

/**
 * Step-0 user parameters: the meta-initialization plus, prototypical-network
 * style, the mean context vector of the clicked items, weighted `protoScale · k/(k + κ)`
 * so that one click moves the start less than twenty do. Rows of `positives`
 * (normalised) without clicks start from the initialization alone.
 */
export function startUsers(params: AdaptParams, items: ItemTable, support: FeedbackBatch): UserBatch {
  return tf.tidy(() => {
    const positives = support.positives;
    const batch = positives.shape[0];
    const proto = tf.mul(times(positives, items.context), evidence(params, support));
    const user = tf.add(tf.reshape(params.userInit, [1, -1]), tf.mul(params.protoScale, proto));
    const pop = tf.tile(tf.reshape(params.popInit, [1, 1]), [batch, 1]);
    const out: UserBatch = { user: user as tf.Tensor2D, pop: pop as tf.Tensor2D };
    // The item-item row is as trustworthy as the clicks behind it. The start
    // weight is learned in log space: similarities' scale differs by dataset
    // (sparse catalogs have small ones), and Adam moves a log multiplicatively.
    const knn = support.neighbours ? { knn: tf.mul(tf.reshape(tf.exp(params.logKnnInit), [1, 1]), evidence(params, support)) as tf.Tensor2D, neighbours: tf.clone(support.neighbours) } : {};
    // What follows the last click is as telling after one click as after fifty: no evidence factor.
    const seq = support.transitions ? { seq: tf.tile(tf.reshape(tf.exp(params.logSeqInit), [1, 1]), [batch, 1]) as tf.Tensor2D, transitions: tf.clone(support.transitions) } : {};
    return { ...out, ...knn, ...seq };
  });
}

/** One gradient step on every user of the batch; returns new tensors. */
export function innerStep(
  items: ItemTable,
  users: UserBatch,
  feedback: FeedbackBatch,
  rates: InnerRates,
): UserBatch {
  return tf.tidy(() => {
    const g = userGrad(items, users, feedback);
    const next = {
      user: tf.sub(users.user, tf.mul(rates.user, g.user)) as tf.Tensor2D,
      pop: tf.sub(users.pop, tf.mul(rates.pop, g.pop)) as tf.Tensor2D,
    };
    const knn = users.knn && g.knn && rates.knn ? { knn: tf.sub(users.knn, tf.mul(rates.knn, g.knn)) as tf.Tensor2D, neighbours: tf.clone(users.neighbours!) } : {};
    const seq = users.seq && g.seq && rates.seq ? { seq: tf.sub(users.seq, tf.mul(rates.seq, g.seq)) as tf.Tensor2D, transitions: tf.clone(users.transitions!) } : {};
    return { ...next, ...knn, ...seq };
  });
}

/**
 * The support with rows that depend on the learned recency decay: built at
 * `decayAt` on the host, linearised here so that gradients reach the decay.
 * Without `decayAt`, the support as it is.
 */
export function effectiveSupport(params: AdaptParams, support: FeedbackBatch): FeedbackBatch {
  if (!support.decayAt) return support;
  return tf.tidy(() => {
    const delta = tf.sub(tf.reshape(tf.sigmoid(params.logitDecay), [1, 1]), support.decayAt!);
    const moved = (row: tf.Tensor2D, d?: tf.Tensor2D): tf.Tensor2D => (d ? (tf.add(row, tf.mul(delta, d)) as tf.Tensor2D) : row.clone());
    return {
      positives: moved(support.positives, support.positivesDecay),
      ...(support.count ? { count: support.count.clone() } : {}),
      ...(support.negatives ? { negatives: support.negatives.clone() } : {}),
      ...(support.excluded ? { excluded: support.excluded.clone() } : {}),
      ...(support.neighbours ? { neighbours: moved(support.neighbours, support.neighboursDecay) } : {}),
      ...(support.transitions ? { transitions: moved(support.transitions, support.transitionsDecay) } : {}),
    };
  });
}

/**
 * Start plus `steps` inner steps for a whole batch. Differentiable with respect
 * to every meta-parameter (second-order MAML differentiates through it).
 */
export function innerLoop(
  params: AdaptParams,
  items: ItemTable,
  support: FeedbackBatch,
  steps: number,
): UserBatch {
  return tf.tidy(() => {
    const live = effectiveSupport(params, support);
    const rates = innerRates(params, live);
    let users = startUsers(params, items, live);
    for (let s = 0; s < steps; s++) users = innerStep(items, users, live, rates);
    return users;
  });
}
