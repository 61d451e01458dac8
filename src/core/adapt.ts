import * as tf from '@tensorflow/tfjs-core';
import { feedbackLoss, scoreBatch, type FeedbackBatch, type ItemTable, type UserBatch } from './model';
import { hostInitialState, hostRank, hostRun, hostScores, useHost, type AdaptRun, type ClickKernel } from './host-path';
import { innerRates, innerStep, startUsers } from './inner';
import { neighbourRow, type Neighbours } from './neighbours';
import type { MetaParams } from './params';

export type { ClickKernel } from './host-path';

/** One visitor's feedback, as catalog indices. */
export interface Feedback {
  /** Clicked items, oldest first; repeats count again. */
  readonly clicks: Int32Array;
  /** Items shown and not clicked (impressions); clicked items are ignored here. */
  readonly negatives: Int32Array;
  /** Optional weight per click (e.g. from explicit ratings); default 1. */
  readonly clickWeights?: Float32Array;
}

/** What one visitor's adaptation needs: the meta-parameters, the item table and any item-item neighbours. */
export interface AdaptModel {
  readonly params: MetaParams;
  readonly items: ItemTable;
  readonly neighbours?: Neighbours;
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
  /** tfjs operations, or host loops (default `auto`: host loops on cpu/wasm); same results either way. */
  readonly kernel?: ClickKernel;
}

export interface AdaptResult {
  /** The parameters reached (the caller owns and disposes them). */
  readonly state: UserState;
  readonly steps: readonly StepMetrics[];
  /** True when the signal stopped the run before its last step. */
  readonly aborted: boolean;
  /** True when a step gave a non-finite or exploded loss: `state` is the last good one (earlier steps kept). */
  readonly rolledBack: boolean;
}

/**
 * A step whose support loss exceeds this multiple of the start's has exploded
 * (a gradient step lowers that loss; cross-entropy over n items starts near
 * log n), and is rolled back like a non-finite one.
 */
const EXPLODED = 10;

/** Weight of the impressions when the caller gives none. */
const DEFAULT_NEGATIVE_WEIGHT = 0.5;

/** Dense [1, items] feedback rows for one visitor. */
export function feedbackRows(
  feedback: Feedback,
  items: number,
  negativeWeight = DEFAULT_NEGATIVE_WEIGHT,
  neighbours?: Neighbours,
): FeedbackBatch {
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
    ...(shown.length > 0 && negativeWeight > 0 ? { negatives: tf.tensor2d(neg, [1, items]) } : {}),
    count: tf.tensor2d([total], [1, 1]),
    ...(neighbours ? { neighbours: tf.tensor2d(neighbourRow(neighbours, feedback.clicks, new Float32Array(items)), [1, items]) } : {}),
  };
}

/** Step-0 parameters of a visitor: the initialization moved towards their clicks' prototype. */
export function initialState(model: AdaptModel, clicks: Int32Array, kernel?: ClickKernel): UserState {
  if (useHost(kernel)) return hostInitialState(model, clicks);
  const rows = feedbackRows({ clicks, negatives: new Int32Array(0) }, model.items.vectors.shape[0], 0, model.neighbours);
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
  const run = useHost(options.kernel)
    ? hostRun(model, start, feedback, options.negativeWeight ?? DEFAULT_NEGATIVE_WEIGHT, options.steps)
    : tensorRun(model, start, feedback, options.negativeWeight);
  const metrics: StepMetrics[] = [];
  let aborted = false;
  let rolledBack = false;
  let startLoss = NaN;
  try {
    for (let step = 0; step <= options.steps; step++) {
      const t0 = now();
      const loss = await run.advance(step);
      if (step === 0) startLoss = loss;
      if (step > 0 && (!Number.isFinite(loss) || loss > EXPLODED * Math.max(startLoss, 1))) {
        // A step that overflowed or exploded: keep the last good parameters and stop here.
        run.undo();
        rolledBack = true;
        break;
      }
      run.commit();
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
    return { state: run.finish(), steps: metrics, aborted, rolledBack };
  } finally {
    run.dispose();
  }
}

/** adapt()'s steps as tfjs operations on the active backend. */
function tensorRun(model: AdaptModel, start: UserState, feedback: Feedback, negativeWeight?: number): AdaptRun {
  const rows = feedbackRows(feedback, model.items.vectors.shape[0], negativeWeight, model.neighbours);
  const rates = innerRates(model.params, rows);
  let state: UserState | null = withRow(cloneState(start), rows);
  let next: UserState | null = null;
  const drop = () => {
    if (next && next !== state) disposeState(next);
    next = null;
  };
  return {
    async advance(step) {
      const current = state!;
      next = step > 0 ? innerStep(model.items, current, rows, rates) : current;
      const lossT = tf.tidy(() => tf.sum(feedbackLoss(scoreBatch(model.items, next!), rows)));
      const loss = (await lossT.data())[0]!;
      lossT.dispose();
      return loss;
    },
    commit() {
      if (next && next !== state) {
        disposeState(state!);
        state = next;
      }
      next = null;
    },
    undo: drop,
    finish() {
      const out = state!;
      state = null;
      return out;
    },
    dispose() {
      drop();
      if (state) disposeState(state);
      disposeFeedback(rows);
      tf.dispose([rates.user, rates.pop, rates.knn].filter((t) => t !== undefined));
    },
  };
}

/** Top `k` items for a visitor over the whole catalog, best first, skipping `exclude`. */
export async function rank(
  items: ItemTable,
  state: UserState,
  k: number,
  exclude: Int32Array = new Int32Array(0),
  kernel?: ClickKernel,
): Promise<{ indices: Int32Array; scores: Float32Array }> {
  if (useHost(kernel)) return hostRank(items, state, k, exclude);
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
export function scoreAll(items: ItemTable, state: UserState, kernel?: ClickKernel): tf.Tensor1D {
  if (useHost(kernel)) return tf.tensor1d(hostScores(items, state));
  return tf.tidy(() => tf.reshape(scoreBatch(items, state), [-1]) as tf.Tensor1D);
}

export function cloneState(state: UserState): UserState {
  const out = { user: state.user.clone(), pop: state.pop.clone() };
  return state.knn && state.neighbours ? { ...out, knn: state.knn.clone(), neighbours: state.neighbours.clone() } : out;
}

export function disposeState(state: UserState): void {
  tf.dispose([state.user, state.pop, state.knn, state.neighbours].filter((t) => t !== undefined));
}

/**
 * The state scored with the item-item row of `rows` (the feedback being
 * adapted on); a state saved without an item-item weight starts it at 0.
 */
function withRow(state: UserState, rows: FeedbackBatch): UserState {
  if (!rows.neighbours) return state;
  const knn = state.knn ?? tf.zeros([1, 1]);
  state.neighbours?.dispose();
  return { user: state.user, pop: state.pop, knn: knn as tf.Tensor2D, neighbours: rows.neighbours.clone() };
}

/** A visitor's parameters as plain numbers, to store them (IndexedDB) and restore them. */
export interface SavedState {
  readonly user: readonly number[];
  readonly pop: number;
  /** The item-item weight, for models with neighbours. */
  readonly knn?: number;
}

/** Plain numbers, to store a visitor's parameters (IndexedDB) and restore them; the item-item row is rebuilt from the clicks. */
export async function serializeState(state: UserState): Promise<SavedState> {
  const out = { user: Array.from(await state.user.data()), pop: (await state.pop.data())[0]! };
  return state.knn ? { ...out, knn: (await state.knn.data())[0]! } : out;
}

/** Restores saved parameters; with a model that has neighbours, `clicks` rebuild the item-item row. */
export function deserializeState(json: SavedState, dim: number, model?: AdaptModel, clicks?: Int32Array): UserState {
  if (!Array.isArray(json.user) || json.user.length !== dim || !json.user.every(Number.isFinite) || !Number.isFinite(json.pop)) {
    throw new Error(
      `Stored user parameters have ${Array.isArray(json.user) ? json.user.length : 'no'} values, expected ${dim} finite numbers: reset() the recommender to start from the meta-initialization.`,
    );
  }
  const state = { user: tf.tensor2d(json.user as number[], [1, dim]), pop: tf.tensor2d([json.pop], [1, 1]) };
  if (!model?.neighbours) return state;
  const n = model.items.vectors.shape[0];
  const row = neighbourRow(model.neighbours, clicks ?? new Int32Array(0), new Float32Array(n));
  const knn = Number.isFinite(json.knn) ? json.knn! : 0;
  return { ...state, knn: tf.tensor2d([knn], [1, 1]), neighbours: tf.tensor2d(row, [1, n]) };
}

function disposeFeedback(rows: FeedbackBatch): void {
  tf.dispose([rows.positives, rows.negatives, rows.count, rows.neighbours].filter((t) => t !== undefined));
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
