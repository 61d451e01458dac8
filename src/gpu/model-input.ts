/**
 * A loaded model's item table and adaptation constants as the GPU kernel takes
 * them, read from its tfjs tensors once per model (await data(): safe on
 * every backend, a one-off read-back on webgpu).
 */

import type { MetaParams } from '../core/params';
import type { Transitions } from '../core/transitions';
import type { AdaptModel, ItemTable } from '../core/types';
import type { AdaptConstants, GpuClickModel } from './click-types';
import type { FloatTable } from './table';

/** A model that may ship item → next-item lists (the sequential term). */
export type SequentialModel = AdaptModel & { readonly transitions?: Transitions };

/**
 * Everything createClickKernel needs from a loaded model (float32 table; format
 * v2 will hand an int8 one). `context: false` leaves the context vectors on the
 * host: a kernel given explicit start states (the AdaptKernel) never reads them.
 */
export async function clickModelOf(model: SequentialModel, options: { readonly context?: boolean } = {}): Promise<GpuClickModel> {
  const [table, constants] = await Promise.all([floatTableOf(model.items, options.context ?? true), adaptConstantsOf(model.params)]);
  return { table, constants, ...(model.neighbours ? { neighbours: model.neighbours } : {}), ...(model.transitions ? { transitions: model.transitions } : {}) };
}

/** The float32 table of a model's item tensors (with the context vectors unless `context` is false). */
export async function floatTableOf(items: ItemTable, context = true): Promise<FloatTable> {
  const [n, dim] = items.vectors.shape;
  const [vectors, bias] = await Promise.all([items.vectors.data(), items.bias.data()]);
  const table: FloatTable = { format: 'float32', n, dim, vectors: vectors as Float32Array, bias: bias as Float32Array };
  return context ? { ...table, context: (await items.context.data()) as Float32Array } : table;
}

/** The meta-parameters adaptation reads, as numbers. */
export async function adaptConstantsOf(params: MetaParams): Promise<AdaptConstants> {
  const one = async (name: keyof MetaParams) => (await params[name].data())[0]!;
  return {
    userInit: Float32Array.from(await params.userInit.data()),
    logLrUser: Float32Array.from(await params.logLrUser.data()),
    popInit: await one('popInit'),
    protoScale: await one('protoScale'),
    logShrink: await one('logShrink'),
    logLrPop: await one('logLrPop'),
    logKnnInit: await one('logKnnInit'),
    logLrKnn: await one('logLrKnn'),
    logitDecay: await one('logitDecay'),
    logSeqInit: await one('logSeqInit'),
    logLrSeq: await one('logLrSeq'),
  };
}
