import * as tf from '@tensorflow/tfjs-core';
import { feedbackLoss, scoreBatch, computeItemTable } from './model';
import type { FeedbackBatch, ItemInputs, UserBatch } from './types';
import { effectiveSupport, innerLoop, startUsers } from './inner';
import { PARAM_NAMES, type MetaParams, type ParamName } from './params';

/**
 * Meta-gradients for one batch of tasks (one task = one user: support clicks to
 * adapt on, query clicks to be judged on). Pure functions of tensors: the
 * training loop owns the variables and the optimizer.
 */

export const META_ALGORITHMS = ['maml', 'fomaml', 'reptile', 'protonet'] as const;
export type MetaAlgorithm = (typeof META_ALGORITHMS)[number];

export interface TaskBatch {
  readonly support: FeedbackBatch;
  readonly query: FeedbackBatch;
}

export interface MetaConfig {
  readonly algorithm: MetaAlgorithm;
  /** Inner steps during training (protonet always uses 0). */
  readonly innerSteps: number;
  /** Learn per-parameter inner learning rates (Meta-SGD); else they stay fixed. */
  readonly learnRates: boolean;
  /** L2 penalty on the id embeddings and biases, per item. */
  readonly weightDecay: number;
  /** Whether the tasks carry neighbour rows (else the item-item parameters are not trained). */
  readonly neighbours?: boolean;
  /** Whether the tasks carry the rows' derivatives in the recency decay (else it is not trained). */
  readonly recency?: boolean;
  /** Whether the tasks carry transition rows (else the sequential parameters are not trained). */
  readonly transitions?: boolean;
}

export interface MetaStep {
  /** Mean query loss of the batch before the update. */
  readonly loss: tf.Scalar;
  readonly grads: Partial<Record<ParamName, tf.Tensor>>;
}

/** Which parameters an algorithm updates (the inner learning rates only when learned and differentiable). */
export function trainableNames(config: MetaConfig): ParamName[] {
  const lrs: ParamName[] = ['logLrUser', 'logLrPop', 'logLrKnn', 'logLrSeq'];
  const knn: ParamName[] = ['logKnnInit', 'logLrKnn'];
  const seq: ParamName[] = ['logSeqInit', 'logLrSeq'];
  const learnsRates = config.learnRates && config.algorithm === 'maml';
  return PARAM_NAMES.filter(
    (n) =>
      (learnsRates || !lrs.includes(n)) &&
      (config.neighbours || !knn.includes(n)) &&
      (config.transitions || !seq.includes(n)) &&
      (config.recency || n !== 'logitDecay'),
  );
}

/** Loss and gradients of one batch of tasks for the configured algorithm. */
export function metaStep(params: MetaParams, inputs: ItemInputs, batch: TaskBatch, config: MetaConfig): MetaStep {
  const names = trainableNames(config);
  const vars = names.map((n) => params[n] as tf.Variable);
  const { f, constants } = objective(params, inputs, batch, config);
  const { value, grads } = tf.variableGrads(f, vars);
  tf.dispose(constants);
  const byName: Partial<Record<ParamName, tf.Tensor>> = {};
  names.forEach((n, i) => (byName[n] = grads[vars[i]!.name]));
  return { loss: value, grads: byName };
}

/** The scalar the algorithm differentiates; constants it needs are computed outside the tape. */
function objective(
  params: MetaParams,
  inputs: ItemInputs,
  batch: TaskBatch,
  config: MetaConfig,
): { f: () => tf.Scalar; constants: tf.Tensor[] } {
  const { algorithm, weightDecay } = config;
  const steps = algorithm === 'protonet' ? 0 : config.innerSteps;
  const decay = (): tf.Scalar =>
    tf.mul(weightDecay, tf.add(tf.sum(tf.square(params.itemEmb)), tf.sum(tf.square(params.itemBias))));
  if (algorithm === 'maml' || algorithm === 'protonet') {
    const f = (): tf.Scalar =>
      tf.tidy(() => {
        const items = computeItemTable(params, inputs);
        const users = innerLoop(params, items, batch.support, steps);
        return tf.add(queryLoss(scoreBatch(items, users), batch.query), decay()) as tf.Scalar;
      });
    return { f, constants: [] };
  }
  // First-order methods: the adapted parameters are constants; gradients reach
  // the initialization through the start point with an identity Jacobian.
  const joined = algorithm === 'reptile' ? joinFeedback(batch.support, batch.query) : undefined;
  const { adapted, full, start } = tf.tidy(() => {
    const items = computeItemTable(params, inputs);
    return {
      adapted: innerLoop(params, items, batch.support, steps),
      full: joined ? innerLoop(params, items, joined, steps) : undefined,
      start: tf.tidy(() => startUsers(params, items, effectiveSupport(params, batch.support))),
    };
  });
  const constants = [...userTensors(adapted), ...userTensors(start)];
  if (full) constants.push(...[full.knn, full.neighbours, full.seq, full.transitions].filter((t) => t !== undefined));
  if (joined && full) constants.push(...[joined.positives, joined.negatives, joined.count].filter((t) => t !== undefined), full.user, full.pop);
  const f = (): tf.Scalar =>
    tf.tidy(() => {
      const items = computeItemTable(params, inputs);
      const live = startUsers(params, items, effectiveSupport(params, batch.support));
      if (!full) {
        const users = passThrough(adapted, live, start);
        return tf.add(queryLoss(scoreBatch(items, users), batch.query), decay()) as tf.Scalar;
      }
      // Reptile: move the user-side start towards the point reached by training on
      // the whole task (the gradient of ½‖θ0 − θK‖²); the shared item side learns,
      // first-order, to serve the query from the support-adapted point, as at test time.
      const pull = tf.add(
        tf.sum(tf.square(tf.sub(live.user, full.user))),
        tf.sum(tf.square(tf.sub(live.pop, full.pop))),
      );
      const batchSize = batch.support.positives.shape[0];
      const fit = queryLoss(scoreBatch(items, adapted), batch.query);
      return tf.add(tf.add(tf.div(tf.mul(0.5, pull), batchSize), fit), decay()) as tf.Scalar;
    });
  return { f, constants };
}

/** Loss per held-out click: the query rows may carry any number of clicks per user. */
function queryLoss(scores: tf.Tensor2D, query: FeedbackBatch): tf.Scalar {
  return tf.div(tf.sum(feedbackLoss(scores, query)), tf.maximum(tf.sum(query.positives), 1)) as tf.Scalar;
}

/** `adapted + (live − start)`: the value of `adapted`, the gradient of `live`. */
function passThrough(adapted: UserBatch, live: UserBatch, start: UserBatch): UserBatch {
  const out = {
    user: tf.add(adapted.user, tf.sub(live.user, start.user)) as tf.Tensor2D,
    pop: tf.add(adapted.pop, tf.sub(live.pop, start.pop)) as tf.Tensor2D,
  };
  const knn = adapted.knn && live.knn && start.knn ? { knn: tf.add(adapted.knn, tf.sub(live.knn, start.knn)) as tf.Tensor2D, neighbours: tf.clone(live.neighbours!) } : {};
  const seq = adapted.seq && live.seq && start.seq ? { seq: tf.add(adapted.seq, tf.sub(live.seq, start.seq)) as tf.Tensor2D, transitions: tf.clone(live.transitions!) } : {};
  return { ...out, ...knn, ...seq };
}

/** Every tensor of a user batch. */
function userTensors(u: UserBatch): tf.Tensor[] {
  return [u.user, u.pop, u.knn, u.neighbours, u.seq, u.transitions].filter((t) => t !== undefined);
}

/** Support and query as one task (Reptile trains on all of a task's data), rows summing to 1. */
function joinFeedback(a: FeedbackBatch, b: FeedbackBatch): FeedbackBatch {
  return tf.tidy(() => {
    const clicks = tf.cast(tf.greater(tf.add(a.positives, b.positives), 0), 'float32');
    const count = tf.sum(clicks, 1, true);
    return {
      positives: tf.div(clicks, tf.maximum(count, 1)) as tf.Tensor2D,
      ...(a.neighbours ? { neighbours: a.neighbours } : {}),
      ...(a.transitions ? { transitions: a.transitions } : {}),
      ...(a.negatives || b.negatives ? { negatives: tf.add(a.negatives ?? 0, b.negatives ?? 0) as tf.Tensor2D } : {}),
      count: count as tf.Tensor2D,
    };
  });
}
