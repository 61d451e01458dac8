/**
 * A loaded model's item table and adaptation constants as the GPU kernel takes
 * them, read from its tfjs tensors once per model (await data(): safe on
 * every backend, a one-off read-back on webgpu).
 */

import type { AdaptModel, ItemTable } from '../core/types';
import type { MetaParams } from '../core/params';
import type { AdaptConstants } from './click-input';
import type { GpuClickModel } from './click-types';
import type { FloatTable } from './table';

/** Everything createClickKernel needs from a loaded model (float32 table; format v2 will hand an int8 one). */
export async function clickModelOf(model: AdaptModel): Promise<GpuClickModel> {
  const [table, constants] = await Promise.all([floatTableOf(model.items), adaptConstantsOf(model.params)]);
  return { table, constants, ...(model.neighbours ? { neighbours: model.neighbours } : {}) };
}

/** The float32 table of a model's item tensors. */
export async function floatTableOf(items: ItemTable): Promise<FloatTable> {
  const [n, dim] = items.vectors.shape;
  const [vectors, bias, context] = await Promise.all([items.vectors.data(), items.bias.data(), items.context.data()]);
  return { format: 'float32', n, dim, vectors: vectors as Float32Array, bias: bias as Float32Array, context: context as Float32Array };
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
  };
}
