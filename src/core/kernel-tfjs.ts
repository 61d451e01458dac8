import * as tf from '@tensorflow/tfjs-core';
import { disposeFeedback, feedbackRows } from './feedback';
import { innerRates, innerStep, startUsers } from './inner';
import { feedbackLoss, scoreBatch } from './model';
import { cloneState, disposeState } from './state';
import { isQuantized, itemCount } from './item-table';
import type { AdaptKernel, AdaptModel, AdaptProblem, AnyItemTable, FeedbackBatch, ItemTable, KernelRun, UserState } from './types';

/**
 * The click path as tfjs operations on the active backend: the same batched
 * functions training runs (inner.ts, model.ts) with a batch of one. The only
 * kernel on GPU backends; on cpu/wasm the host kernel does the same math.
 */
export const tfjsKernel: AdaptKernel = {
  name: 'tfjs',

  initialState(model, clicks, signals) {
    const rows = feedbackRows({ clicks, negatives: new Int32Array(0) }, catalogSize(model), 0, signals);
    const state = startUsers(model.params, tensorTable(model.items), rows);
    disposeFeedback(rows);
    return state;
  },

  run: tensorRun,

  async scores(items, state) {
    const table = tensorTable(items);
    const scores = tf.tidy(() => tf.reshape(scoreBatch(table, state), [-1]));
    const out = (await scores.data()) as Float32Array;
    scores.dispose();
    return out;
  },

  async rank(items, state, k, exclude) {
    const table = tensorTable(items);
    const n = table.vectors.shape[0];
    const count = Math.max(0, Math.min(k, n - new Set(exclude).size));
    const [values, indices] = tf.tidy(() => {
      let scores = tf.reshape(scoreBatch(table, state), [-1]);
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

/** States are UserState tensors; each step returns new ones (innerStep never writes in place). */
function tensorRun(model: AdaptModel, start: UserState, problem: AdaptProblem): KernelRun<UserState> {
  const items = tensorTable(model.items);
  const rows = feedbackRows(problem.feedback, catalogSize(model), problem.negativeWeight, problem.signals);
  const rates = innerRates(model.params, rows);
  return {
    first: async () => withRow(cloneState(start), rows),
    async loss(state) {
      const lossT = tf.tidy(() => tf.sum(feedbackLoss(scoreBatch(items, state), rows)));
      const loss = (await lossT.data())[0]!;
      lossT.dispose();
      return loss;
    },
    step: async (state) => innerStep(items, state, rows, rates),
    keep: (state) => state,
    drop: disposeState,
    dispose() {
      disposeFeedback(rows);
      tf.dispose([rates.user, rates.pop, rates.knn, rates.seq].filter((t) => t !== undefined));
    },
  };
}

/**
 * The state scored with the offset rows of `rows` (the feedback being adapted
 * on); a state saved without an item-item or sequential weight starts it at 0.
 * Takes ownership of `state`.
 */
function withRow(state: UserState, rows: FeedbackBatch): UserState {
  state.neighbours?.dispose();
  state.transitions?.dispose();
  if (!rows.neighbours) state.knn?.dispose();
  if (!rows.transitions) state.seq?.dispose();
  const knn = rows.neighbours ? { knn: (state.knn ?? tf.zeros([1, 1])) as tf.Tensor2D, neighbours: rows.neighbours.clone() } : {};
  const seq = rows.transitions ? { seq: (state.seq ?? tf.zeros([1, 1])) as tf.Tensor2D, transitions: rows.transitions.clone() } : {};
  return { user: state.user, pop: state.pop, ...knn, ...seq };
}

function catalogSize(model: AdaptModel): number {
  return itemCount(model.items);
}

/** The table as tensors; a quantized one (format v2) has none: the host kernel scores it. */
function tensorTable(items: AnyItemTable): ItemTable {
  if (isQuantized(items)) throw new Error('kernel "tfjs" cannot score an int8 item table (format v2): use kernel "auto" or "host" on the wasm or cpu backend.');
  return items;
}
