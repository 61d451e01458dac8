/**
 * A loaded model's item table and adaptation constants as the GPU kernel takes
 * them, read from its tfjs tensors once per model (await data(): safe on
 * every backend, a one-off read-back on webgpu).
 */

import type { AdaptParams } from '../core/params';
import { forEachEntry, maxRowLength } from '../core/item-lists';
import type { AdaptModel, AnyItemLists, AnyItemTable, ItemTable, Neighbours } from '../core/types';
import type { AdaptConstants, GpuClickModel } from './click-types';
import type { FloatTable, GpuItemTable } from './table';

/** A model the kernel is built for (item → next-item lists, when shipped, give the sequential term). */
export type SequentialModel = AdaptModel;

/**
 * Everything createClickKernel needs from a loaded model (float32 table; format
 * v2 will hand an int8 one). `context: false` leaves the context vectors on the
 * host: a kernel given explicit start states (the AdaptKernel) never reads them.
 */
export async function clickModelOf(model: SequentialModel, options: { readonly context?: boolean } = {}): Promise<GpuClickModel> {
  const [table, constants] = await Promise.all([gpuTableOf(model.items, options.context ?? true), adaptConstantsOf(model.params)]);
  return { table, constants, ...(model.neighbours ? { neighbours: fixedLists(model.neighbours) } : {}), ...(model.transitions ? { transitions: fixedLists(model.transitions) } : {}) };
}

/** The table to upload: an int8 table (format v2) as decoded, byte for byte; a float one read from its tensors. */
async function gpuTableOf(items: AnyItemTable, context: boolean): Promise<GpuItemTable> {
  if (!('format' in items)) return floatTableOf(items, context);
  const { vectors, bias } = items;
  return { format: 'int8', n: vectors.n, dim: vectors.dim, vectors, bias, ...(context ? { context: items.context } : {}) };
}

/**
 * Lists as the GPU kernel reads them: m entries per item. Format v2's encoded
 * lists are decoded once, at upload, in one sequential walk of their bytes (m,
 * the longest row, comes from the counts alone); a shorter row is padded with
 * its own index at weight 0, which adds nothing to any row.
 */
export function fixedLists(lists: AnyItemLists): Neighbours {
  if ('m' in lists) return lists;
  const m = maxRowLength(lists);
  const ids = new Int32Array(lists.rows * m);
  const sims = new Float32Array(lists.rows * m);
  for (let r = 0; r < lists.rows; r++) ids.fill(r, r * m, (r + 1) * m);
  let row = -1;
  let at = 0;
  forEachEntry(lists, (item, weight, r) => {
    if (r !== row) {
      row = r;
      at = r * m;
    }
    ids[at] = item;
    sims[at++] = weight;
  });
  return { m, ids, sims };
}

/** The float32 table of a model's item tensors (with the context vectors unless `context` is false). */
export async function floatTableOf(items: ItemTable, context = true): Promise<FloatTable> {
  const [n, dim] = items.vectors.shape;
  const [vectors, bias] = await Promise.all([items.vectors.data(), items.bias.data()]);
  const table: FloatTable = { format: 'float32', n, dim, vectors: vectors as Float32Array, bias: bias as Float32Array };
  return context ? { ...table, context: (await items.context.data()) as Float32Array } : table;
}

/** The meta-parameters adaptation reads, as numbers. */
export async function adaptConstantsOf(params: AdaptParams): Promise<AdaptConstants> {
  const one = async (name: keyof AdaptParams) => (await params[name].data())[0]!;
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
