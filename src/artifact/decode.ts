import * as tf from '@tensorflow/tfjs-core';
import type { AdaptModel } from '../core/adapt';
import { featureMatrix, itemInputs } from '../core/features';
import { computeItemTable, type ItemInputs } from '../core/model';
import { disposeParams, fromArrays, PARAM_NAMES, type MetaParams, type ParamName } from '../core/params';
import { POPULARITY_WEIGHT, WARM_WEIGHT } from './encode';
import { ARTIFACT_FORMAT, ARTIFACT_FORMAT_VERSION, type ArtifactMeta, type CatalogFile, type CatalogItem, type ModelJson } from './format';
import { sha256Hex } from './sha256';

/** A loaded model: metadata, catalog, parameters and the precomputed item table. */
export interface Model extends AdaptModel {
  readonly meta: ArtifactMeta;
  readonly catalog: readonly CatalogItem[];
  /** Catalog index of every item id. */
  readonly index: ReadonlyMap<string, number>;
  readonly params: MetaParams;
  readonly inputs: ItemInputs;
  dispose(): void;
}

/** Checks model.json's structure and returns it typed; errors say what is wrong. */
export function checkModelJson(json: unknown): ModelJson {
  const m = json as Partial<ModelJson> | null;
  const meta = m?.localrec;
  if (!m || typeof m !== 'object' || !meta || meta.format !== ARTIFACT_FORMAT) {
    throw new Error(`model.json is not a localrec model: expected a "localrec" block with format "${ARTIFACT_FORMAT}". Train one with \`npm run train\`.`);
  }
  if (meta.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw new Error(`model.json has format version ${String(meta.formatVersion)}; this runtime reads version ${ARTIFACT_FORMAT_VERSION}. Retrain the model or upgrade localrec.`);
  }
  if (!Array.isArray(m.weightsManifest) || m.weightsManifest.length !== 1 || !meta.files || typeof meta.version !== 'string') {
    throw new Error('model.json is malformed: it needs one weightsManifest group, localrec.files and localrec.version.');
  }
  return m as ModelJson;
}

/** The files to download besides model.json (relative to it). */
export function artifactFiles(json: unknown): string[] {
  return Object.keys(checkModelJson(json).localrec.files);
}

/** Throws unless every file's SHA-256 matches the metadata. */
export async function verifyFiles(meta: ArtifactMeta, files: Readonly<Record<string, ArrayBuffer | Uint8Array>>): Promise<void> {
  for (const [name, entry] of Object.entries(meta.files)) {
    const bytes = files[name];
    if (!bytes) throw new Error(`Artifact ${meta.version} is missing "${name}": download every file listed in model.json.`);
    const actual = await sha256Hex(bytes);
    if (actual !== entry.sha256) {
      throw new Error(
        `Artifact file "${name}" of model ${meta.version} failed verification: SHA-256 ${actual} (${bytes.byteLength} bytes), expected ${entry.sha256} (${entry.bytes} bytes). The file is corrupted or was tampered with; it was not used.`,
      );
    }
  }
}

/** Verifies and decodes an artifact into tensors (call `dispose()` when done). */
export async function parseArtifact(json: unknown, files: Readonly<Record<string, ArrayBuffer | Uint8Array>>): Promise<Model> {
  const model = checkModelJson(json);
  const meta = model.localrec;
  await verifyFiles(meta, files);
  const catalog = decodeCatalog(files['catalog.json']!, meta);
  const weights = decodeWeights(model, files);
  const params = fromArrays(weights as Record<ParamName, Float32Array>, meta.shape);
  const [warm, logPop] = [weights[WARM_WEIGHT], weights[POPULARITY_WEIGHT]];
  for (const [name, w] of [[WARM_WEIGHT, warm], [POPULARITY_WEIGHT, logPop]] as const) {
    if (!w || w.length !== meta.shape.items) {
      disposeParams(params);
      throw new Error(`Weight "${name}" must have ${meta.shape.items} values, one per catalog item.`);
    }
  }
  const features = featureMatrix(catalog.map((c) => c.tags), meta.featureNames);
  const inputs = itemInputs(features, meta.featureNames.length, warm!, logPop!);
  const items = computeItemTable(params, inputs);
  const index = new Map(catalog.map((c, i) => [c.id, i]));
  return {
    meta,
    catalog,
    index,
    params,
    inputs,
    items,
    dispose: () => {
      disposeParams(params);
      tf.dispose([inputs.features, inputs.warm, inputs.logPop, items.vectors, items.bias, items.context]);
    },
  };
}

function decodeCatalog(bytes: ArrayBuffer | Uint8Array, meta: ArtifactMeta): CatalogItem[] {
  let parsed: CatalogFile;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes)) as CatalogFile;
  } catch (e) {
    throw new Error(`catalog.json of model ${meta.version} is not valid JSON: ${(e as Error).message}`);
  }
  const items = parsed?.items;
  if (!Array.isArray(items) || items.length !== meta.shape.items) {
    throw new Error(
      `catalog.json of model ${meta.version} has ${Array.isArray(items) ? items.length : 'no'} items, but the weights are for ${meta.shape.items}: the catalog does not match the model.`,
    );
  }
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (typeof it?.id !== 'string' || seen.has(it.id)) {
      throw new Error(`catalog.json item ${i} has ${typeof it?.id !== 'string' ? 'no string id' : `the duplicate id "${it.id}"`}.`);
    }
    seen.add(it.id);
  });
  return items.map((it) => ({ id: it.id, title: String(it.title ?? it.id), tags: Array.isArray(it.tags) ? it.tags.map(String) : [] }));
}

function decodeWeights(model: ModelJson, files: Readonly<Record<string, ArrayBuffer | Uint8Array>>): Record<string, Float32Array> {
  const group = model.weightsManifest[0]!;
  const parts = group.paths.map((p) => {
    const f = files[p];
    if (!f) throw new Error(`Weight shard "${p}" is missing: download every path in weightsManifest.`);
    return f instanceof Uint8Array ? f : new Uint8Array(f);
  });
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  const out: Record<string, Float32Array> = {};
  let offset = 0;
  for (const spec of group.weights) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + n * 4 > total) {
      throw new Error(`Weight shard is too short: "${spec.name}" needs bytes ${offset}..${offset + n * 4}, the shard has ${total}.`);
    }
    out[spec.name] = new Float32Array(all.buffer.slice(offset, offset + n * 4));
    offset += n * 4;
  }
  if (offset !== total) throw new Error(`Weight shard has ${total} bytes, the manifest describes ${offset}.`);
  for (const name of PARAM_NAMES) if (!out[name]) throw new Error(`Weight "${name}" is missing from model.json's weightsManifest.`);
  return out;
}
