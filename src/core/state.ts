import * as tf from '@tensorflow/tfjs-core';
import { neighbourRow } from './neighbours';
import type { AdaptModel, UserState } from './types';

/** A deep copy: the copy is the caller's to dispose. */
export function cloneState(state: UserState): UserState {
  const out = { user: state.user.clone(), pop: state.pop.clone() };
  return state.knn && state.neighbours ? { ...out, knn: state.knn.clone(), neighbours: state.neighbours.clone() } : out;
}

/** Frees every tensor of a state. */
export function disposeState(state: UserState): void {
  tf.dispose([state.user, state.pop, state.knn, state.neighbours].filter((t) => t !== undefined));
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
