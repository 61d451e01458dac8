import * as tf from '@tensorflow/tfjs';
import type { MetaParams } from './params';
import {
  feedbackLoss,
  scoreBatch,
  userGrad,
  type FeedbackBatch,
  type ItemTable,
  type UserBatch,
} from './model';

/**
 * The inner loop, vectorised over a batch of users: every user's parameters are
 * one row of a [B, dim] tensor, so a batch of tasks is a few matrix products,
 * not a JavaScript loop. The same functions adapt a single visitor (B = 1) in
 * the browser, so the trainer and the runtime run exactly the same math.
 */

/** Per-step learning rates: one per user-vector coordinate, one for the popularity weight. */
export interface InnerRates {
  readonly user: tf.Tensor1D;
  readonly pop: tf.Tensor1D;
}

/** Meta-SGD learning rates from their logs (kept positive by construction). */
export function innerRates(params: MetaParams): InnerRates {
  return tf.tidy(() => ({
    user: tf.exp(params.logLrUser) as tf.Tensor1D,
    pop: tf.exp(params.logLrPop) as tf.Tensor1D,
  }));
}

/**
 * Step-0 user parameters: the meta-initialization plus, prototypical-network
 * style, `protoScale` times the mean vector of the clicked items. Rows of
 * `positives` without clicks start from the initialization alone.
 */
export function startUsers(params: MetaParams, items: ItemTable, positives: tf.Tensor2D): UserBatch {
  return tf.tidy(() => {
    const batch = positives.shape[0];
    const proto = tf.matMul(positives, items.vectors);
    const user = tf.add(tf.reshape(params.userInit, [1, -1]), tf.mul(params.protoScale, proto));
    const pop = tf.tile(tf.reshape(params.popInit, [1, 1]), [batch, 1]);
    return { user: user as tf.Tensor2D, pop: pop as tf.Tensor2D };
  });
}

/**
 * Gradient of the summed support loss by tfjs autodiff: a first-order reference
 * for the closed form only. Under an outer tape (tfjs 4.22) a tf.grads nested in
 * variableGrads drops the Hessian terms, so meta-training uses the closed form,
 * whose second-order gradients are checked against finite differences.
 */
export function autodiffUserGrad(items: ItemTable, users: UserBatch, feedback: FeedbackBatch): UserBatch {
  const [user, pop] = tf.grads((u: tf.Tensor, p: tf.Tensor) =>
    tf.sum(feedbackLoss(scoreBatch(items, { user: u as tf.Tensor2D, pop: p as tf.Tensor2D }), feedback)),
  )([users.user, users.pop]);
  return { user: user as tf.Tensor2D, pop: pop as tf.Tensor2D };
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
    return {
      user: tf.sub(users.user, tf.mul(tf.reshape(rates.user, [1, -1]), g.user)) as tf.Tensor2D,
      pop: tf.sub(users.pop, tf.mul(tf.reshape(rates.pop, [1, 1]), g.pop)) as tf.Tensor2D,
    };
  });
}

/**
 * Start plus `steps` inner steps for a whole batch. Differentiable with respect
 * to every meta-parameter (second-order MAML differentiates through it).
 */
export function innerLoop(
  params: MetaParams,
  items: ItemTable,
  support: FeedbackBatch,
  steps: number,
): UserBatch {
  return tf.tidy(() => {
    const rates = innerRates(params);
    let users = startUsers(params, items, support.positives);
    for (let s = 0; s < steps; s++) users = innerStep(items, users, support, rates);
    return users;
  });
}
