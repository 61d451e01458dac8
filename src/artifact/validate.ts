import { paramShapes, PARAM_NAMES, UNIFORM_DECAY_LOGIT } from '../core/params';
import { checkModelJson, MAX_ITEM_ID_LENGTH, quote } from './check';
import { NEIGHBOUR_IDS_WEIGHT, NEIGHBOUR_SIMS_WEIGHT, POPULARITY_WEIGHT, TRANSITION_IDS_WEIGHT, TRANSITION_WEIGHTS_WEIGHT, WARM_WEIGHT } from './encode';
import type { ArtifactMeta, CatalogFile, CatalogItem, ModelJson } from './format';
import { sha256Hex } from './sha256';

type Files = Readonly<Record<string, ArrayBuffer | Uint8Array>>;

/** An artifact whose files are verified and decoded to plain arrays (no tensors yet). */
export interface CheckedArtifact {
  readonly model: ModelJson;
  readonly meta: ArtifactMeta;
  readonly catalog: CatalogItem[];
  /** Every weight of the manifest by name, as float32 values. */
  readonly weights: Record<string, Float32Array>;
}

/** Throws unless every file's size and SHA-256 match the metadata. */
export async function verifyFiles(meta: ArtifactMeta, files: Files): Promise<void> {
  for (const [name, entry] of Object.entries(meta.files)) {
    const bytes = files[name];
    if (!bytes) throw new Error(`Artifact ${meta.version} is missing "${name}": download every file listed in model.json.`);
    const actual = await sha256Hex(bytes);
    if (actual !== entry.sha256) {
      const cut = bytes.byteLength < entry.bytes ? ' The download was cut short.' : '';
      throw new Error(
        `Artifact file "${name}" of model ${meta.version} failed verification: SHA-256 ${actual} (${bytes.byteLength} bytes), expected ${entry.sha256} (${entry.bytes} bytes).${cut} The file is corrupted or was tampered with; it was not used.`,
      );
    }
  }
}

/** Throws unless every file is present with its size. */
function checkSizes(meta: ArtifactMeta, files: Files): void {
  for (const [name, entry] of Object.entries(meta.files)) {
    const bytes = files[name];
    if (!bytes) throw new Error(`Artifact ${meta.version} is missing "${name}": download every file listed in model.json.`);
    if (bytes.byteLength !== entry.bytes) throw new Error(`Artifact file "${name}" of model ${meta.version} has ${bytes.byteLength} bytes, expected ${entry.bytes}: it was not used. Download it again.`);
  }
}

/**
 * Everything that must hold before an artifact is cached or built: model.json's
 * structure, every file's hash, and a catalog and weights that fit each other
 * and the model's shape. Pure: no tensors, so a bad artifact costs no GPU memory.
 */
export async function checkArtifact(json: unknown, files: Files, options: { readonly hashes?: boolean } = {}): Promise<CheckedArtifact> {
  const model = checkModelJson(json);
  const meta = model.localrec;
  // hashes: false only for bytes this runtime verified before storing them (the IndexedDB cache).
  if (options.hashes === false) checkSizes(meta, files);
  else await verifyFiles(meta, files);
  const catalogBytes = files['catalog.json'];
  if (!catalogBytes) throw new Error(`Artifact ${meta.version} has no catalog.json in localrec.files: retrain the model with \`npm run train\`.`);
  return { model, meta, catalog: decodeCatalog(catalogBytes, meta), weights: decodeWeights(model, files) };
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
    const id: unknown = it?.id;
    if (typeof id !== 'string' || id === '' || id.length > MAX_ITEM_ID_LENGTH || seen.has(id)) {
      const problem = typeof id !== 'string' || id === '' ? 'no string id' : seen.has(id) ? `the duplicate id ${quote(id)}` : `an id of ${id.length} characters (at most ${MAX_ITEM_ID_LENGTH})`;
      throw new Error(`catalog.json item ${i} of model ${meta.version} has ${problem}.`);
    }
    seen.add(id);
  });
  return items.map((it) => ({ id: it.id, title: String(it.title ?? it.id), tags: Array.isArray(it.tags) ? it.tags.map(String) : [] }));
}

function decodeWeights(model: ModelJson, files: Files): Record<string, Float32Array> {
  const group = model.weightsManifest[0]!;
  const meta = model.localrec;
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
  // The weights must have exactly the shapes the metadata (and so the catalog) implies.
  const m = meta.shape.neighbours ?? 0;
  if (!Number.isInteger(m) || m < 0 || m > meta.shape.items) {
    throw new Error(`model.json's shape.neighbours is ${quote(m)}: expected a whole number of neighbours per item from 0 to ${meta.shape.items}.`);
  }
  const mt = meta.shape.transitions ?? 0;
  if (!Number.isInteger(mt) || mt < 0 || mt > meta.shape.items) {
    throw new Error(`model.json's shape.transitions is ${quote(mt)}: expected a whole number of transitions per item from 0 to ${meta.shape.items}.`);
  }
  const lists: Record<string, readonly number[]> = {
    ...(m > 0 ? { [NEIGHBOUR_IDS_WEIGHT]: [meta.shape.items, m], [NEIGHBOUR_SIMS_WEIGHT]: [meta.shape.items, m] } : {}),
    ...(mt > 0 ? { [TRANSITION_IDS_WEIGHT]: [meta.shape.items, mt], [TRANSITION_WEIGHTS_WEIGHT]: [meta.shape.items, mt] } : {}),
  };
  const expected: Record<string, readonly number[]> = { ...paramShapes(meta.shape), [WARM_WEIGHT]: [meta.shape.items], [POPULARITY_WEIGHT]: [meta.shape.items], ...lists };
  const out: Record<string, Float32Array> = {};
  let offset = 0;
  for (const spec of group.weights) {
    const want = Object.hasOwn(expected, String(spec?.name)) ? expected[spec.name] : undefined;
    if (!want || !Array.isArray(spec.shape) || spec.shape.join() !== want.join() || spec.dtype !== 'float32') {
      throw new Error(
        `Weight ${quote(spec?.name)} in model.json is ${quote(spec?.shape)} ${quote(spec?.dtype)}; model ${meta.version} (items ${meta.shape.items}, features ${meta.shape.features}, dim ${meta.shape.dim}) needs ${want ? `float32 [${want.join(', ')}]` : 'no such weight'}: the weights do not match the catalog and shape.`,
      );
    }
    const n = want.reduce((a, b) => a * b, 1);
    if (offset + n * 4 > total) {
      throw new Error(`Weight shard is too short: "${spec.name}" needs bytes ${offset}..${offset + n * 4}, the shard has ${total}.`);
    }
    const values = new Float32Array(all.buffer.slice(offset, offset + n * 4));
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`Weight "${spec.name}" of model ${meta.version} has the non-finite value ${values[bad]} at ${bad}: retrain the model.`);
    out[spec.name] = values;
    offset += n * 4;
  }
  if (offset !== total) throw new Error(`Weight shard has ${total} bytes, the manifest describes ${offset}.`);
  // Models trained before the item-item term lack its two scalars; without
  // neighbour lists the term is off, so zeros are exact for them.
  out['logKnnInit'] ??= Float32Array.of(0);
  out['logLrKnn'] ??= Float32Array.of(0);
  // Models from before the recency decay weigh every click the same.
  out['logitDecay'] ??= Float32Array.of(UNIFORM_DECAY_LOGIT);
  // ... and have no sequential term (no transition lists: the term is off).
  out['logSeqInit'] ??= Float32Array.of(0);
  out['logLrSeq'] ??= Float32Array.of(0);
  for (const name of [...PARAM_NAMES, WARM_WEIGHT, POPULARITY_WEIGHT, ...Object.keys(lists)]) {
    if (!out[name]) throw new Error(`Weight "${name}" is missing from model.json's weightsManifest.`);
  }
  for (const name of [NEIGHBOUR_IDS_WEIGHT, TRANSITION_IDS_WEIGHT]) {
    const ids = out[name];
    const bad = ids ? ids.findIndex((v) => !Number.isInteger(v) || v < -1 || v >= meta.shape.items) : -1;
    if (bad >= 0) {
      throw new Error(`Weight "${name}" of model ${meta.version} has ${ids![bad]} at ${bad}: list item indices must be whole numbers from -1 to ${meta.shape.items - 1}; retrain the model.`);
    }
  }
  return out;
}
