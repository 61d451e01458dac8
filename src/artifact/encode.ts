import type { Neighbours } from '../core/neighbours';
import { paramShapes, PARAM_NAMES, toArrays, type MetaParams } from '../core/params';
import {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  CATALOG_FILE,
  WEIGHTS_FILE,
  type ArtifactMeta,
  type CatalogItem,
  type ModelJson,
  type WeightSpec,
} from './format';
import { sha256Hex } from './sha256';

/** Name of the warm-item mask in the weight shard (1: seen in training). */
export const WARM_WEIGHT = 'itemWarm';
/** Name of log(1 + training popularity) per item in the weight shard. */
export const POPULARITY_WEIGHT = 'itemLogPop';
/** Names of the item-item neighbour lists in the weight shard ([items, m] each). */
export const NEIGHBOUR_IDS_WEIGHT = 'itemNeighbours';
export const NEIGHBOUR_SIMS_WEIGHT = 'itemNeighbourSims';
/** Names of the next-item transition lists of the sequential term ([items, transitions] each). */
export const TRANSITION_IDS_WEIGHT = 'itemTransitions';
export const TRANSITION_WEIGHTS_WEIGHT = 'itemTransitionWeights';

export interface ArtifactInput {
  readonly algorithm: string;
  readonly params: MetaParams;
  readonly warm: Float32Array;
  readonly logPop: Float32Array;
  /** Item-item neighbour lists the model scores with, if it has them. */
  readonly neighbours?: Neighbours;
  /** Next-item transition lists of the sequential term, if it has one. */
  readonly transitions?: Neighbours;
  readonly featureNames: readonly string[];
  readonly catalog: readonly CatalogItem[];
  readonly steps: number;
  readonly negativeWeight: number;
  readonly training: Readonly<Record<string, unknown>>;
  readonly data: ArtifactMeta['data'];
  readonly validation: Readonly<Record<string, unknown>>;
}

/** The artifact's files as bytes, keyed by file name (pure: the caller writes them). */
export async function encodeArtifact(input: ArtifactInput): Promise<Record<string, Uint8Array>> {
  const arrays = await toArrays(input.params);
  const dim = input.params.userInit.shape[0]!;
  const m = input.neighbours?.m ?? 0;
  const mt = input.transitions?.m ?? 0;
  const shape = { items: input.catalog.length, features: input.featureNames.length, dim, ...(m > 0 ? { neighbours: m } : {}), ...(mt > 0 ? { transitions: mt } : {}) };
  const shapes = paramShapes(shape);
  const specs: WeightSpec[] = PARAM_NAMES.map((name) => ({ name, shape: shapes[name], dtype: 'float32' }));
  specs.push({ name: WARM_WEIGHT, shape: [shape.items], dtype: 'float32' });
  specs.push({ name: POPULARITY_WEIGHT, shape: [shape.items], dtype: 'float32' });
  const parts = [...PARAM_NAMES.map((n) => arrays[n]), input.warm, input.logPop];
  if (input.neighbours && m > 0) {
    specs.push({ name: NEIGHBOUR_IDS_WEIGHT, shape: [shape.items, m], dtype: 'float32' });
    specs.push({ name: NEIGHBOUR_SIMS_WEIGHT, shape: [shape.items, m], dtype: 'float32' });
    parts.push(Float32Array.from(input.neighbours.ids), input.neighbours.sims);
  }
  if (input.transitions && mt > 0) {
    specs.push({ name: TRANSITION_IDS_WEIGHT, shape: [shape.items, mt], dtype: 'float32' });
    specs.push({ name: TRANSITION_WEIGHTS_WEIGHT, shape: [shape.items, mt], dtype: 'float32' });
    parts.push(Float32Array.from(input.transitions.ids), input.transitions.sims);
  }
  const weights = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    weights.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), offset);
    offset += p.byteLength;
  }
  const catalog = new TextEncoder().encode(JSON.stringify({ items: input.catalog }));
  const files = {
    [WEIGHTS_FILE]: { sha256: await sha256Hex(weights), bytes: weights.byteLength },
    [CATALOG_FILE]: { sha256: await sha256Hex(catalog), bytes: catalog.byteLength },
  };
  const version = `${input.algorithm}-${(await sha256Hex(new TextEncoder().encode(files[WEIGHTS_FILE].sha256 + files[CATALOG_FILE].sha256))).slice(0, 12)}`;
  const meta: ArtifactMeta = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    version,
    algorithm: input.algorithm,
    shape,
    featureNames: input.featureNames,
    adaptation: {
      steps: input.steps,
      negativeWeight: input.negativeWeight,
      learningRates: { user: Array.from(arrays.logLrUser, Math.exp), pop: Math.exp(arrays.logLrPop[0]!) },
      protoScale: arrays.protoScale[0]!,
    },
    training: input.training,
    data: input.data,
    validation: input.validation,
    files,
  };
  const model: ModelJson = {
    format: ARTIFACT_FORMAT,
    generatedBy: 'localrec train',
    modelTopology: null,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
    localrec: meta,
  };
  return {
    'model.json': new TextEncoder().encode(JSON.stringify(model, null, 1)),
    [WEIGHTS_FILE]: weights,
    [CATALOG_FILE]: catalog,
  };
}
