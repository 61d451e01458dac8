/**
 * A finished model as format v2 ships it and the runtime holds it: the item
 * table quantized (vectors and context vectors as int8 rows, the popularity
 * prior as floats), item lists kept encoded, and the few per-visitor
 * parameters. No tfjs: nothing here is recomputed from raw parameters.
 */

import type { Int8Rows } from './int8-rows';
import type { ItemLists } from './item-lists';

/**
 * The per-visitor parameters every model has, by name (see params.ts): where
 * adaptation starts and how it steps, the recency decay of click weights, and
 * the sequential term's start and rate. A runtime ignores names it does not know.
 */
export const USER_PARAM_NAMES = [
  'userInit',
  'popInit',
  'protoScale',
  'logLrUser',
  'logLrPop',
  'logShrink',
  'logKnnInit',
  'logLrKnn',
  'logitDecay',
  'logSeqInit',
  'logLrSeq',
] as const;

export type UserParamName = (typeof USER_PARAM_NAMES)[number];

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
