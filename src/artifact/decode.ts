import * as tf from '@tensorflow/tfjs-core';
import type { AdaptModel } from '../core/types';
import { contentFeatures, disposeInputs, itemInputs } from '../core/features';
import { computeItemTable } from '../core/model';
import type { ItemInputs, ItemTable, Neighbours } from '../core/types';
import { disposeParams, fromArrays, type MetaParams, type ParamName } from '../core/params';
import { decayOf } from '../core/recency';
import { NEIGHBOUR_IDS_WEIGHT, NEIGHBOUR_SIMS_WEIGHT, POPULARITY_WEIGHT, TRANSITION_IDS_WEIGHT, TRANSITION_WEIGHTS_WEIGHT, WARM_WEIGHT } from './encode';
import type { ArtifactMeta, CatalogItem } from './format';
import { checkArtifact } from './validate';

export { artifactFiles, checkModelJson } from './check';
export { verifyFiles } from './validate';

/** A loaded model: metadata, catalog, parameters and the precomputed item table. */
export interface Model extends AdaptModel {
  readonly meta: ArtifactMeta;
  readonly catalog: readonly CatalogItem[];
  /** Catalog index of every item id. */
  readonly index: ReadonlyMap<string, number>;
  readonly params: MetaParams;
  readonly inputs: ItemInputs;
  /** v1 computes the table in tensors from the raw parameters. */
  readonly items: ItemTable;
  readonly neighbours?: Neighbours;
  readonly transitions?: Neighbours;
  dispose(): void;
}

/** Verifies and decodes an artifact into tensors (call `dispose()` when done); `hashes: false` skips the SHA-256 checks (bytes verified before they were stored). */
export async function parseArtifact(json: unknown, files: Readonly<Record<string, ArrayBuffer | Uint8Array>>, options: { readonly hashes?: boolean } = {}): Promise<Model> {
  const { meta, catalog, weights } = await checkArtifact(json, files, options);
  const params = fromArrays(weights as Record<ParamName, Float32Array>, meta.shape);
  // checkArtifact guarantees both, one value per catalog item.
  const [warm, logPop] = [weights[WARM_WEIGHT], weights[POPULARITY_WEIGHT]];
  const features = contentFeatures(catalog.map((c) => c.tags), meta.featureNames);
  const inputs = itemInputs(features, warm!, logPop!);
  const items = computeItemTable(params, inputs);
  const index = new Map(catalog.map((c, i) => [c.id, i]));
  const ids = weights[NEIGHBOUR_IDS_WEIGHT];
  const sims = weights[NEIGHBOUR_SIMS_WEIGHT];
  const m = meta.shape.neighbours ?? 0;
  const [nextIds, nextWeights] = [weights[TRANSITION_IDS_WEIGHT], weights[TRANSITION_WEIGHTS_WEIGHT]];
  const mt = meta.shape.transitions ?? 0;
  return {
    ...(ids && sims && m > 0 ? { neighbours: { m, ids: Int32Array.from(ids), sims } } : {}),
    ...(nextIds && nextWeights && mt > 0 ? { transitions: { m: mt, ids: Int32Array.from(nextIds), sims: nextWeights } } : {}),
    decay: decayOf(weights.logitDecay![0]!),
    meta,
    catalog,
    index,
    params,
    inputs,
    items,
    dispose: () => {
      disposeParams(params);
      disposeInputs(inputs);
      tf.dispose([items.vectors, items.bias, items.context]);
    },
  };
}
