import * as tf from '@tensorflow/tfjs-core';
import { hostKernel } from './kernel-host';
import { tfjsKernel } from './kernel-tfjs';
import { clickSignals } from './clicks';
import { isQuantized } from './item-table';
import type { AdaptKernel, AdaptModel, AnyItemTable, ClickKernel, ClickSignals, UserState } from './types';

/** Backends whose tensors live in host memory: the host kernel may read them synchronously. */
const HOST_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/**
 * A kernel by name, or a kernel itself: how another implementation (e.g. a
 * hand-written WebGPU one) runs behind the same driver without core knowing it.
 */
export type KernelChoice = ClickKernel | AdaptKernel;

/**
 * The kernel `choice` selects on the active backend for `items`; throws for
 * `host` on a GPU backend. An int8 table (format v2) has no tensors to give
 * tfjs: the host kernel scores it, on a host backend.
 */
export function kernelFor(choice: KernelChoice = 'auto', items?: AnyItemTable): AdaptKernel {
  if (typeof choice === 'object') return choice;
  const onHost = HOST_BACKENDS.includes(tf.getBackend());
  if (items && isQuantized(items)) {
    if (choice === 'tfjs' || !onHost) {
      throw new Error(`An int8 item table (model format v2) is scored by the host kernel on a host-memory backend (${HOST_BACKENDS.join(', ')}); kernel "${choice}" on "${tf.getBackend()}" cannot: use kernel "auto" with backend wasm or cpu.`);
    }
    return hostKernel;
  }
  if (choice === 'tfjs') return tfjsKernel;
  if (choice === 'host' && !onHost) {
    throw new Error(`kernel "host" needs a host-memory backend (${HOST_BACKENDS.join(', ')}), but "${tf.getBackend()}" is active: use kernel "auto" or "tfjs".`);
  }
  return onHost ? hostKernel : tfjsKernel;
}

/**
 * Step-0 parameters of a visitor: the initialization moved towards their
 * clicks' (recency-weighted) prototype; `clickWeights`: optional ratings.
 * `signals`: the clicks' signals when the caller has them already (a click
 * builds them once for this and for adapt).
 */
export function initialState(model: AdaptModel, clicks: Int32Array, kernel?: KernelChoice, clickWeights?: Float32Array, signals?: ClickSignals): UserState {
  return kernelFor(kernel, model.items).initialState(model, clicks, signals ?? clickSignals(model, clicks, clickWeights, model.decay));
}

/** Top `k` items for a visitor over the whole catalog, best first, skipping `exclude`. */
export function rank(
  items: AnyItemTable,
  state: UserState,
  k: number,
  exclude: Int32Array = new Int32Array(0),
  kernel?: KernelChoice,
): Promise<{ indices: Int32Array; scores: Float32Array }> {
  return kernelFor(kernel, items).rank(items, state, k, exclude);
}

/** Scores of every catalog item for one visitor ([items]). */
export function scoreAll(items: AnyItemTable, state: UserState, kernel?: KernelChoice): Promise<Float32Array> {
  return kernelFor(kernel, items).scores(items, state);
}
