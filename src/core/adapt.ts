import * as tf from '@tensorflow/tfjs-core';
import { feedbackLoss, scoreBatch, type FeedbackBatch, type ItemTable, type UserBatch } from './model';
import { innerRates, innerStep, startUsers } from './inner';
import type { MetaParams } from './params';

/** One visitor's feedback, as catalog indices. */
export interface Feedback {
  /** Clicked items, oldest first; repeats count again. */
  readonly clicks: Int32Array;
  /** Items shown and not clicked (impressions); clicked items are ignored here. */
  readonly negatives: Int32Array;
  /** Optional weight per click (e.g. from explicit ratings); default 1. */
  readonly clickWeights?: Float32Array;
}

/** What one visitor's adaptation needs: the meta-parameters and the item table. */
export interface AdaptModel {
  readonly params: MetaParams;
  readonly items: ItemTable;
}

/** One visitor's adapted parameters: a batch of one. */
export type UserState = UserBatch;

/** Metrics of one adaptation step; step 0 is the starting point. */
export interface StepMetrics {
  readonly step: number;
  /** Support loss of the parameters after this step. */
  readonly loss: number;
  /** Wall time of the step, ms. */
  readonly ms: number;
}

export interface AdaptOptions {
  /** Gradient steps (the artifact's default for the runtime). */
  readonly steps: number;
  /** Total weight of the impressions relative to the clicks' total of 1. */
  readonly negativeWeight?: number;
  /**
   * Checked between steps: a newer click abandons this run. With a signal,
   * adapt yields to the event loop between steps so that the click that sets
   * it can arrive (on cpu/wasm, `await t.data()` resolves without yielding).
   */
  readonly signal?: { readonly aborted: boolean };
  readonly onStep?: (metrics: StepMetrics) => void;
}

export interface AdaptResult {
  /** The parameters reached (the caller owns and disposes them). */
  readonly state: UserState;
  readonly steps: readonly StepMetrics[];
  /** True when the signal stopped the run before its last step. */
  readonly aborted: boolean;
  /** True when a step gave a non-finite loss: `state` is the last good one (earlier steps kept). */
  readonly rolledBack: boolean;
}

/** Dense [1, items] feedback rows for one visitor. */
export function feedbackRows(feedback: Feedback, items: number, negativeWeight = 0.5): FeedbackBatch {
  const pos = new Float32Array(items);
  const neg = new Float32Array(items);
  let total = 0;
  feedback.clicks.forEach((item, i) => {
    const w = feedback.clickWeights?.[i] ?? 1;
    pos[item]! += w;
    total += w;
  });
  if (total > 0) for (let i = 0; i < items; i++) pos[i]! /= total;
  const shown = Array.from(feedback.negatives).filter((item) => pos[item] === 0);
  for (const item of shown) neg[item]! += negativeWeight / shown.length;
  return {
    positives: tf.tensor2d(pos, [1, items]),
    negatives: tf.tensor2d(neg, [1, items]),
    count: tf.tensor2d([total], [1, 1]),
  };
}

/** Step-0 parameters of a visitor: the initialization moved towards their clicks' prototype. */
export function initialState(model: AdaptModel, clicks: Int32Array): UserState {
  const rows = feedbackRows({ clicks, negatives: new Int32Array(0) }, model.items.vectors.shape[0]);
  const state = startUsers(model.params, model.items, rows);
  disposeFeedback(rows);
  return state;
}

/**
 * Adapts a visitor's parameters with `steps` gradient steps on their feedback.
 * Never mutates `start` or the model; returns new tensors and per-step metrics.
 */
export async function adapt(
  model: AdaptModel,
  start: UserState,
  feedback: Feedback,
  options: AdaptOptions,
): Promise<AdaptResult> {
  const rows = feedbackRows(feedback, model.items.vectors.shape[0], options.negativeWeight);
  const rates = innerRates(model.params, rows);
  const metrics: StepMetrics[] = [];
  let state = cloneState(start);
  let aborted = false;
  let rolledBack = false;
  try {
    for (let step = 0; step <= options.steps; step++) {
      const t0 = now();
      const next = step > 0 ? innerStep(model.items, state, rows, rates) : state;
      const lossT = tf.tidy(() => tf.sum(feedbackLoss(scoreBatch(model.items, next), rows)));
      const loss = (await lossT.data())[0]!;
      lossT.dispose();
      if (step > 0 && !Number.isFinite(loss)) {
        // A step that overflowed: keep the last good parameters and stop here.
        disposeState(next);
        rolledBack = true;
        break;
      }
      if (next !== state) {
        disposeState(state);
        state = next;
      }
      const m = { step, loss, ms: now() - t0 };
      metrics.push(m);
      options.onStep?.(m);
      if (step < options.steps && options.signal) {
        await yieldToEventLoop();
        if (options.signal.aborted) {
          aborted = true;
          break;
        }
      }
    }
  } finally {
    disposeFeedback(rows);
    rates.user.dispose();
    rates.pop.dispose();
  }
  return { state, steps: metrics, aborted, rolledBack };
}

/** Top `k` items for a visitor over the whole catalog, best first, skipping `exclude`. */
export async function rank(
  items: ItemTable,
  state: UserState,
  k: number,
  exclude: Int32Array = new Int32Array(0),
): Promise<{ indices: Int32Array; scores: Float32Array }> {
  const n = items.vectors.shape[0];
  const count = Math.max(0, Math.min(k, n - new Set(exclude).size));
  const [values, indices] = tf.tidy(() => {
    let scores = tf.reshape(scoreBatch(items, state), [-1]);
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
}

/** Scores of every catalog item for one visitor ([items]); the caller disposes. */
export function scoreAll(items: ItemTable, state: UserState): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(scoreBatch(items, state), [-1]) as tf.Tensor1D);
}

export function cloneState(state: UserState): UserState {
  return { user: state.user.clone(), pop: state.pop.clone() };
}

export function disposeState(state: UserState): void {
  state.user.dispose();
  state.pop.dispose();
}

/** Plain numbers, to store a visitor's parameters (IndexedDB) and restore them. */
export async function serializeState(state: UserState): Promise<{ user: number[]; pop: number }> {
  return { user: Array.from(await state.user.data()), pop: (await state.pop.data())[0]! };
}

export function deserializeState(json: { user: readonly number[]; pop: number }, dim: number): UserState {
  if (!Array.isArray(json.user) || json.user.length !== dim || !json.user.every(Number.isFinite)) {
    throw new Error(
      `Stored user parameters have ${Array.isArray(json.user) ? json.user.length : 'no'} values, expected ${dim} finite numbers: reset() the recommender to start from the meta-initialization.`,
    );
  }
  return { user: tf.tensor2d(json.user as number[], [1, dim]), pop: tf.tensor2d([json.pop], [1, 1]) };
}

function disposeFeedback(rows: FeedbackBatch): void {
  tf.dispose([rows.positives, rows.negatives, ...(rows.count ? [rows.count] : [])]);
}

/** A macrotask turn (MessageChannel: no 4 ms timer clamping), so queued messages run. */
function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}
