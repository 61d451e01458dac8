/**
 * A finished model as format v2 ships it and the runtime holds it: the item
 * table quantized (vectors and context vectors as int8 rows, the popularity
 * prior as floats), item lists kept encoded, and the few per-visitor
 * parameters. Nothing here is recomputed from raw parameters.
 */

import * as tf from '@tensorflow/tfjs-core';
import { int8Kernel, type Int8KernelOptions } from './int8-kernel';
import type { Int8Rows } from './int8-rows';
import type { ItemLists } from './item-lists';
import { USER_PARAM_NAMES, type AdaptParams, type UserParamName } from './params';
import { decayOf } from './recency';
import type { AdaptModel, QuantizedItemTable } from './types';

// The per-visitor parameters every model has, by name (see params.ts); a runtime ignores names it does not know.
export { USER_PARAM_NAMES, type UserParamName } from './params';

/** Named float32 arrays: `userInit` and `logLrUser` have `dim` values, the others one. */
export type UserParams = Readonly<Record<UserParamName, Float32Array>> & Readonly<Record<string, Float32Array>>;

/** Values a per-visitor parameter must have in a model of dimension `dim`. */
export function userParamLength(name: UserParamName, dim: number): number {
  return name === 'userInit' || name === 'logLrUser' ? dim : 1;
}

/** The item side: what every click sweeps or reads. */
export interface Int8ItemTable {
  /** Item vectors V (scored against the user vector). */
  readonly vectors: Int8Rows;
  /** Context vectors C (a click moves the start towards its item's row). */
  readonly context: Int8Rows;
  /** Popularity prior b, one per item. */
  readonly bias: Float32Array;
}

export interface Int8Model {
  readonly items: Int8ItemTable;
  readonly user: UserParams;
  /** Item-item neighbours (absent: the model has no item-item term). */
  readonly neighbours?: ItemLists;
  /** Next-item transitions (absent: the model has no sequential term). */
  readonly transitions?: ItemLists;
}

/** An int8 model ready for the click path (core/adapt, core/kernels): its per-visitor parameters as tensors. */
export interface QuantizedAdaptModel extends AdaptModel {
  readonly items: QuantizedItemTable;
  /** Frees the parameter tensors (the table is plain memory). */
  dispose(): void;
}

/**
 * The item table handed to its sweep kernel: where SIMD runs, the kernel's
 * WebAssembly memory then holds the only copy of V and the prior (the arrays
 * passed in can be dropped). Independent of the tfjs backend, so a runtime
 * builds it once per model and shares it across backends.
 */
export function quantizedItemTable(items: Int8ItemTable, options?: Int8KernelOptions): QuantizedItemTable {
  const kernel = int8Kernel(items.vectors, items.bias, options);
  return { format: 'int8', vectors: kernel.rows, context: items.context, bias: kernel.bias, kernel };
}

/**
 * The int8 model as the one adaptation driver and the host kernel run it: the
 * table handed to its sweep kernel (quantizedItemTable; or one built already,
 * shared), the lists kept encoded, the per-visitor
 * parameters as small tensors on the active (host) backend.
 */
export function quantizedAdaptModel(model: Pick<Int8Model, 'user' | 'neighbours' | 'transitions'> & { readonly items: Int8ItemTable | QuantizedItemTable }, options?: Int8KernelOptions): QuantizedAdaptModel {
  const items = 'format' in model.items ? model.items : quantizedItemTable(model.items, options);
  const params = Object.fromEntries(USER_PARAM_NAMES.map((name) => [name, tf.tensor1d(model.user[name])])) as AdaptParams;
  return {
    params,
    items,
    ...(model.neighbours ? { neighbours: model.neighbours } : {}),
    ...(model.transitions ? { transitions: model.transitions } : {}),
    decay: decayOf(model.user.logitDecay[0]!),
    dispose: () => tf.dispose(Object.values(params)),
  };
}
