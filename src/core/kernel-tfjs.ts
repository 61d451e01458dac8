import * as tf from '@tensorflow/tfjs-core';
import { disposeFeedback, feedbackRows } from './feedback';
import { innerRates, innerStep, startUsers } from './inner';
import { feedbackLoss, scoreBatch } from './model';
import { isQuantized, itemCount } from './item-table';
import { denseRow } from './neighbours';
import type { AdaptKernel, AdaptModel, AdaptProblem, AnyItemTable, ClickSignals, FeedbackBatch, ItemTable, KernelRun, SparseRow, UserBatch, UserState } from './types';

/**
 * The click path as tfjs operations on the active backend: the same batched
 * functions training runs (inner.ts, model.ts) with a batch of one. The only
 * kernel on GPU backends; on cpu/wasm the host kernel does the same math.
 * The state's sparse rows become dense [1, items] tensors only inside its
 * operations (batchOf, the feedback's rows): what tfjs reads.
 */
export const tfjsKernel: AdaptKernel = {
  name: 'tfjs',

  initialState(model, clicks, signals) {
    const rows = feedbackRows({ clicks, negatives: new Int32Array(0) }, catalogSize(model), 0, signals);
    const state = stateOf(startUsers(model.params, tensorTable(model.items), rows), signals);
    disposeFeedback(rows);
    return state;
  },

  run: tensorRun,

  async scores(items, state) {
    const table = tensorTable(items);
    const scores = tf.tidy(() => tf.reshape(scoreBatch(table, batchOf(state, table)), [-1]));
    const out = (await scores.data()) as Float32Array;
    scores.dispose();
    return out;
  },

  async rank(items, state, k, exclude) {
    const table = tensorTable(items);
    const n = table.vectors.shape[0];
    const count = Math.max(0, Math.min(k, n - new Set(exclude).size));
    const [values, indices] = tf.tidy(() => {
      let scores = tf.reshape(scoreBatch(table, batchOf(state, table)), [-1]);
      if (exclude.length > 0) {
        const mask = new Float32Array(n);
        for (const i of exclude) mask[i] = 1;
        scores = tf.where(tf.greater(tf.tensor1d(mask), 0), tf.fill([n], -Infinity), scores);
      }
      const top = tf.topk(scores, count, true);
      return [top.values, top.indices];
    });
    const out = { indices: (await indices.data()) as Int32Array, scores: (await values.data()) as Float32Array };
    values.dispose();
    indices.dispose();
    return out;
  },
};

/** States are batches of one (dense rows, as training's); each step returns new ones (innerStep never writes in place). */
function tensorRun(model: AdaptModel, start: UserState, problem: AdaptProblem): KernelRun<UserBatch> {
  const items = tensorTable(model.items);
  const rows = feedbackRows(problem.feedback, catalogSize(model), problem.negativeWeight, problem.signals);
  const rates = innerRates(model.params, rows);
  return {
    first: async () => startBatch(start, rows),
    async loss(state) {
      const lossT = tf.tidy(() => tf.sum(feedbackLoss(scoreBatch(items, state), rows)));
      const loss = (await lossT.data())[0]!;
      lossT.dispose();
      return loss;
    },
    step: async (state) => innerStep(items, state, rows, rates),
    keep: (state) => stateOf(state, problem.signals),
    drop: disposeBatch,
    dispose() {
      disposeFeedback(rows);
      tf.dispose([rates.user, rates.pop, rates.knn, rates.seq].filter((t) => t !== undefined));
    },
  };
}

/**
 * A copy of `state` scored with the offset rows of `rows` (the feedback being
 * adapted on); a state saved without an item-item or sequential weight starts it at 0.
 */
function startBatch(state: UserState, rows: FeedbackBatch): UserBatch {
  const weight = (t?: tf.Tensor2D) => (t ? t.clone() : (tf.zeros([1, 1]) as tf.Tensor2D));
  const knn = rows.neighbours ? { knn: weight(state.knn), neighbours: rows.neighbours.clone() } : {};
  const seq = rows.transitions ? { seq: weight(state.seq), transitions: rows.transitions.clone() } : {};
  return { user: state.user.clone(), pop: state.pop.clone(), ...knn, ...seq };
}

/** The state of a batch of one made on `signals`' rows: its dense rows freed, the signals' sparse ones kept (takes the batch). */
function stateOf(batch: UserBatch, signals: ClickSignals): UserState {
  tf.dispose([batch.neighbours, batch.transitions].filter((t) => t !== undefined));
  const knn = batch.knn && signals.neighbours ? { knn: batch.knn, neighbours: signals.neighbours } : {};
  const seq = batch.seq && signals.transitions ? { seq: batch.seq, transitions: signals.transitions } : {};
  return { user: batch.user, pop: batch.pop, ...knn, ...seq };
}

/** `state` as a batch of one for tfjs operations, with dense rows: call inside tf.tidy (they are new tensors). */
function batchOf(state: UserState, table: ItemTable): UserBatch {
  const n = table.vectors.shape[0];
  const dense = (row: SparseRow) => tf.tensor2d(denseRow(row, n), [1, n]);
  const knn = state.knn && state.neighbours ? { knn: state.knn, neighbours: dense(state.neighbours) } : {};
  const seq = state.seq && state.transitions ? { seq: state.seq, transitions: dense(state.transitions) } : {};
  return { user: state.user, pop: state.pop, ...knn, ...seq };
}

function disposeBatch(batch: UserBatch): void {
  tf.dispose([batch.user, batch.pop, batch.knn, batch.neighbours, batch.seq, batch.transitions].filter((t) => t !== undefined));
}

function catalogSize(model: AdaptModel): number {
  return itemCount(model.items);
}

/** The table as tensors; a quantized one (format v2) has none: the host kernel scores it. */
function tensorTable(items: AnyItemTable): ItemTable {
  if (isQuantized(items)) throw new Error('kernel "tfjs" cannot score an int8 item table (format v2): use kernel "auto" or "host" on the wasm or cpu backend.');
  return items;
}
