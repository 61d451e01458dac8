import * as tf from '@tensorflow/tfjs-core';
import { feedbackLoss, scoreBatch, computeItemTable } from './model';
import type { FeedbackBatch, ItemInputs, UserBatch } from './types';
import { effectiveSupport, innerLoop, startUsers } from './inner';
import { ITEM_ROW_NAMES, PARAM_NAMES, type ItemRowName, type MetaParams, type ParamName } from './params';
import { candidateTable, type Candidates } from './sampled';
import { gatherRows } from './sparse';
import type { ItemTable } from './types';

/**
 * Meta-gradients for one batch of tasks (one task = one user: support clicks to
 * adapt on, query clicks to be judged on). Pure functions of tensors: the
 * training loop owns the variables and the optimizer.
 */

export const META_ALGORITHMS = ['maml', 'fomaml', 'reptile', 'protonet'] as const;
export type MetaAlgorithm = (typeof META_ALGORITHMS)[number];

export interface TaskBatch {
  /** Rows over the catalog, or over `candidates` when the batch samples. */
  readonly support: FeedbackBatch;
  /** Rows over the catalog, or over `candidates` when the batch samples. */
  readonly query: FeedbackBatch;
  /** The sampled sub-catalog every row of the batch is over (core/sampled); absent: the whole catalog. */
  readonly candidates?: Candidates;
  /** Support and query as one task, when the batch samples (Reptile adapts on it; joinFeedback builds it otherwise). */
  readonly whole?: FeedbackBatch;
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

/**
 * metaStep of a sampled batch with the item-indexed parameters given as their
 * rows at the candidates (`rows`, [C, …], row k for item candidates.ids[k]):
 * their gradients are those rows' ([C, …]), what lazy Adam applies, and no
 * catalog-sized gradient is built. The other gradients and the loss are
 * metaStep's. `params`' item-indexed entries are not read.
 */
export function rowSparseStep(params: MetaParams, rows: Record<ItemRowName, tf.Tensor>, inputs: ItemInputs, batch: TaskBatch, config: MetaConfig): MetaStep {
  if (!batch.candidates) throw new Error('rowSparseStep needs a sampled batch (its candidates are the rows it updates): use metaStep for a batch over the whole catalog.');
  const width = batch.candidates.ids.shape[0];
  for (const n of ITEM_ROW_NAMES) {
    if (rows[n].shape[0] !== width) throw new Error(`rowSparseStep got ${rows[n].shape[0]} rows of ${n}, expected one per candidate (${width}).`);
  }
  const names = trainableNames(config);
  const local = { ...params, ...rows };
  const xs = names.map((n) => local[n]);
  const { f, constants } = objective(local, inputs, batch, config, true);
  // As tf.variableGrads, but with respect to tensors (the rows are not variables); a parameter the objective does not reach gets no gradient.
  const { value, grads } = tf.engine().gradients(f, xs, undefined, true);
  tf.dispose(constants);
  const byName: Partial<Record<ParamName, tf.Tensor>> = {};
  names.forEach((n, i) => {
    if (grads[i]) byName[n] = grads[i];
  });
  return { loss: value, grads: byName };
}

/**
 * The scalar the algorithm differentiates; constants it needs are computed
 * outside the tape. `rowParams`: the item-indexed parameters are the
 * candidates' rows (rowSparseStep).
 */
function objective(
  params: MetaParams,
  inputs: ItemInputs,
  batch: TaskBatch,
  config: MetaConfig,
  rowParams = false,
): { f: () => tf.Scalar; constants: tf.Tensor[] } {
  const { algorithm, weightDecay } = config;
  if (batch.candidates) checkColumns(batch);
  // A sampled batch is a task over its candidates alone: the same math on a smaller catalog.
  const table = (): ItemTable => (batch.candidates ? candidateTable(params, inputs, batch.candidates, rowParams) : computeItemTable(params, inputs));
  const steps = algorithm === 'protonet' ? 0 : config.innerSteps;
  // A sampled batch's L2 covers its candidates' rows, the rows it updates (lazy
  // Adam leaves the others as they are), in both trainers; a full batch's, every row.
  const decayed = (x: tf.Tensor): tf.Tensor => (batch.candidates && !rowParams ? gatherItemRows(x, batch.candidates.ids) : x);
  const decay = (): tf.Scalar => tf.mul(weightDecay, tf.add(sumOfSquares(decayed(params.itemEmb)), sumOfSquares(decayed(params.itemBias))));
  if (algorithm === 'maml' || algorithm === 'protonet') {
    const f = (): tf.Scalar =>
      tf.tidy(() => {
        const items = table();
        const users = innerLoop(params, items, batch.support, steps);
        return tf.add(queryLoss(items, users, batch), decay()) as tf.Scalar;
      });
    return { f, constants: [] };
  }
  // First-order methods: the adapted parameters are constants; gradients reach
  // the initialization through the start point with an identity Jacobian.
  if (algorithm === 'reptile' && batch.candidates && !batch.whole) {
    throw new Error('Reptile on a sampled batch needs the whole task over the candidates: build the batch with sampleTasks(..., { whole: true }).');
  }
  const joined = algorithm === 'reptile' ? (batch.whole ?? joinFeedback(batch.support, batch.query)) : undefined;
  const { adapted, full, start } = tf.tidy(() => {
    const items = table();
    return {
      adapted: innerLoop(params, items, batch.support, steps),
      full: joined ? innerLoop(params, items, joined, steps) : undefined,
      start: tf.tidy(() => startUsers(params, items, effectiveSupport(params, batch.support))),
    };
  });
  const constants = [...userTensors(adapted), ...userTensors(start)];
  if (full) constants.push(...userTensors(full));
  // The joined rows are ours to free unless the batch brought them.
  if (joined && !batch.whole) constants.push(...[joined.positives, joined.negatives, joined.count].filter((t) => t !== undefined));
  const f = (): tf.Scalar =>
    tf.tidy(() => {
      const items = table();
      const live = startUsers(params, items, effectiveSupport(params, batch.support));
      if (!full) {
        const users = passThrough(adapted, live, start);
        return tf.add(queryLoss(items, users, batch), decay()) as tf.Scalar;
      }
      // Reptile: move the user-side start towards the point reached by training on
      // the whole task (the gradient of ½‖θ0 − θK‖²), every adapted part of it: the
      // item-item and sequential weights too, so their start values (logKnnInit,
      // logSeqInit) learn as they do under MAML. The shared item side learns,
      // first-order, to serve the query from the support-adapted point, as at test time.
      const gaps = [tf.sub(live.user, full.user), tf.sub(live.pop, full.pop)];
      if (live.knn && full.knn) gaps.push(tf.sub(live.knn, full.knn));
      if (live.seq && full.seq) gaps.push(tf.sub(live.seq, full.seq));
      const pull = tf.addN(gaps.map((gap) => tf.sum(tf.square(gap))));
      const batchSize = batch.support.positives.shape[0];
      const fit = queryLoss(items, adapted, batch);
      return tf.add(tf.add(tf.div(tf.mul(0.5, pull), batchSize), fit), decay()) as tf.Scalar;
    });
  return { f, constants };
}

/** Loss per held-out click (the query rows may carry any number of clicks per user), over the batch's catalog. */
function queryLoss(items: ItemTable, users: UserBatch, batch: TaskBatch): tf.Scalar {
  const { query } = batch;
  const perUser = feedbackLoss(scoreBatch(items, users), query);
  return tf.div(tf.sum(perUser), tf.maximum(tf.sum(query.positives), 1)) as tf.Scalar;
}

/** Every row of a sampled batch must be over its candidates. */
function checkColumns(batch: TaskBatch): void {
  const width = batch.candidates!.ids.shape[0];
  const rows: [string, tf.Tensor2D | undefined][] = [
    ['support', batch.support.positives],
    ['query', batch.query.positives],
    ['neighbour', batch.support.neighbours],
    ['transition', batch.support.transitions],
    ['whole-task', batch.whole?.positives],
  ];
  for (const [name, t] of rows) {
    if (t && t.shape[1] !== width) throw new Error(`The ${name} rows of a sampled batch have ${t.shape[1]} columns, expected one per candidate (${width}): build the batch with train/tasks sampleTasks.`);
  }
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

/**
 * Σ x², with the gradient 2x·dy computed directly: tf.sum's gradient builds a
 * ones tensor of x's shape on the host, catalog-sized for the id embeddings
 * even when a sampled batch touches a few thousand items. Same values.
 */
function sumOfSquares(x: tf.Tensor): tf.Scalar {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args[0] as tf.Tensor;
    // Saved: x may be an intermediate (a sampled batch's rows), freed before the backward pass otherwise.
    (args[1] as tf.GradSaveFunc)([t]);
    return { value: tf.sum(tf.square(t)) as tf.Scalar, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.mul(saved[0]!, 2)) };
  });
  return op(x) as tf.Scalar;
}

/** Rows `ids` of an item-indexed parameter ([items] or [items, D]), differentiable on every backend. */
function gatherItemRows(x: tf.Tensor, ids: tf.Tensor1D): tf.Tensor {
  if (x.rank === 2) return gatherRows(x as tf.Tensor2D, ids);
  return tf.reshape(gatherRows(tf.reshape(x, [-1, 1]) as tf.Tensor2D, ids), [-1]);
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
