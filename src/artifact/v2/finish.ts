/**
 * From raw trained parameters to the finished model format v2 ships: the item
 * table computed once, here, instead of in every visitor's browser (V, C and
 * b from the content maps and id embeddings), plus the per-visitor parameters.
 */

import * as tf from '@tensorflow/tfjs-core';
import { USER_PARAM_NAMES } from '../../core/int8-model';
import { computeItemTable } from '../../core/model';
import type { ItemInputs, ItemTable } from '../../core/types';
import type { Neighbours } from '../../core/neighbours';
import type { MetaParams } from '../../core/params';
import type { Model } from '../decode';
import type { FinishedModel } from './encode';
import type { CatalogItemV2 } from './format';

/** What a finished model carries besides the table: names the artifact, its catalog and its adaptation settings. */
export type FinishedRest = Omit<FinishedModel, 'items' | 'dim' | 'vectors' | 'context' | 'bias' | 'neighbours' | 'transitions' | 'user'>;

/** The item lists a model scores with beyond its table. */
export interface FinishedLists {
  readonly neighbours?: Neighbours | undefined;
  readonly transitions?: Neighbours | undefined;
}

/** A computed item table and the per-visitor parameters, read back with `await data()` (the caller keeps the tensors). */
export async function finishTable(table: ItemTable, params: MetaParams, lists: FinishedLists, rest: FinishedRest): Promise<FinishedModel> {
  const { neighbours, transitions } = lists;
  const [items, dim] = table.vectors.shape;
  const user: Record<string, Float32Array> = {};
  for (const name of USER_PARAM_NAMES) user[name] = (await params[name].data()) as Float32Array;
  return {
    ...rest,
    items,
    dim,
    vectors: (await table.vectors.data()) as Float32Array,
    context: (await table.context.data()) as Float32Array,
    bias: (await table.bias.data()) as Float32Array,
    ...(neighbours && neighbours.m > 0 ? { neighbours } : {}),
    ...(transitions && transitions.m > 0 ? { transitions } : {}),
    user,
  };
}

/** The finished model of raw trained parameters: the item table computed once, here. */
export async function finishParams(params: MetaParams, inputs: ItemInputs, lists: FinishedLists, rest: FinishedRest): Promise<FinishedModel> {
  const table = computeItemTable(params, inputs);
  try {
    return await finishTable(table, params, lists, rest);
  } finally {
    tf.dispose([table.vectors, table.bias, table.context]);
  }
}

/** A decoded v1 artifact, finished (the converter's input); `catalog` may add url and image to v1's. */
export async function finishV1(model: Model, catalog: readonly CatalogItemV2[] = model.catalog): Promise<FinishedModel> {
  const meta = model.meta;
  return finishTable(model.items, model.params, { neighbours: model.neighbours, transitions: model.transitions }, {
    algorithm: meta.algorithm,
    catalog,
    steps: meta.adaptation.steps,
    negativeWeight: meta.adaptation.negativeWeight,
    training: { ...meta.training, convertedFrom: meta.version },
    data: meta.data,
    validation: meta.validation,
  });
}
