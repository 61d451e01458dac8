import * as tf from '@tensorflow/tfjs-core';
import { clickSignals } from './clicks';
import type { AdaptModel, UserState } from './types';

/** A copy of the tensors (the caller's to dispose); the sparse rows, never mutated, are shared. */
export function cloneState(state: UserState): UserState {
  const out = { user: state.user.clone(), pop: state.pop.clone() };
  const knn = state.knn && state.neighbours ? { knn: state.knn.clone(), neighbours: state.neighbours } : {};
  const seq = state.seq && state.transitions ? { seq: state.seq.clone(), transitions: state.transitions } : {};
  return { ...out, ...knn, ...seq };
}

/** Frees every tensor of a state. */
export function disposeState(state: UserState): void {
  tf.dispose([state.user, state.pop, state.knn, state.seq].filter((t) => t !== undefined));
}

/** A visitor's parameters as plain numbers, to store them (IndexedDB) and restore them. */
export interface SavedState {
  readonly user: readonly number[];
  readonly pop: number;
  /** The item-item weight, for models with neighbours. */
  readonly knn?: number;
  /** The sequential weight, for models with transition lists. */
  readonly seq?: number;
}

/** Plain numbers, to store a visitor's parameters (IndexedDB) and restore them; the item-item row is rebuilt from the clicks. */
export async function serializeState(state: UserState): Promise<SavedState> {
  const out = { user: Array.from(await state.user.data()), pop: (await state.pop.data())[0]! };
  const knn = state.knn ? { knn: (await state.knn.data())[0]! } : {};
  const seq = state.seq ? { seq: (await state.seq.data())[0]! } : {};
  return { ...out, ...knn, ...seq };
}

/** Restores saved parameters; with a model that has item lists, `clicks` rebuild their rows. */
export function deserializeState(json: SavedState, dim: number, model?: AdaptModel, clicks?: Int32Array): UserState {
  if (!Array.isArray(json.user) || json.user.length !== dim || !json.user.every(Number.isFinite) || !Number.isFinite(json.pop)) {
    throw new Error(
      `Stored user parameters have ${Array.isArray(json.user) ? json.user.length : 'no'} values, expected ${dim} finite numbers: reset() the recommender to start from the meta-initialization.`,
    );
  }
  const state = { user: tf.tensor2d(json.user as number[], [1, dim]), pop: tf.tensor2d([json.pop], [1, 1]) };
  if (!model) return state;
  const signals = clickSignals(model, clicks ?? new Int32Array(0), undefined, model.decay);
  // A weight saved by a model version without it starts at 0.
  const weight = (v: number | undefined) => tf.tensor2d([Number.isFinite(v) ? v! : 0], [1, 1]);
  const knn = signals.neighbours ? { knn: weight(json.knn), neighbours: signals.neighbours } : {};
  const seq = signals.transitions ? { seq: weight(json.seq), transitions: signals.transitions } : {};
  return { ...state, ...knn, ...seq };
}
