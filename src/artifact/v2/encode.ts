import { paddedDim, quantizeRows } from '../../core/int8-rows';
import { USER_PARAM_NAMES, userParamLength } from '../../core/int8-model';
import { encodeItemLists } from '../../core/item-lists';
import type { Neighbours } from '../../core/neighbours';
import { ARTIFACT_FORMAT, type ArtifactMeta, type FileEntry } from '../format';
import { sha256Hex } from '../sha256';
import { checkCatalog, encodeCatalog } from './catalog';
import { localityOrder, permuteRows } from './order';
import { FORMAT_VERSION_2, MAX_SHARD_BYTES, type CatalogItemV2, type MetaV2, type ModelJsonV2, type ScalarDtype, type Section } from './format';
import { writeInt8Rows, writeItemLists, writeScalars } from './sections';
import { shardName, StreamWriter } from './stream';

/** A trained model, finished: the item table the browser scores with, in float32, and everything else it needs. */
export interface FinishedModel {
  readonly algorithm: string;
  readonly items: number;
  readonly dim: number;
  /** [items × dim] item vectors V, context vectors C, and the popularity prior b [items]. */
  readonly vectors: Float32Array;
  readonly context: Float32Array;
  readonly bias: Float32Array;
  /** Item-item neighbours (padded lists, as training builds them). */
  readonly neighbours?: Neighbours;
  /** Next-item transition lists of the sequential term, same layout (absent: the model has none). */
  readonly transitions?: Neighbours;
  /** Per-visitor parameters by name (core/int8-model's USER_PARAM_NAMES, and any others). */
  readonly user: Readonly<Record<string, Float32Array>>;
  readonly catalog: readonly CatalogItemV2[];
  readonly steps: number;
  readonly negativeWeight: number;
  readonly training: Readonly<Record<string, unknown>>;
  readonly data: ArtifactMeta['data'];
  readonly validation: Readonly<Record<string, unknown>>;
}

/** The encoding choices; defaults are the shipped ones (measured in bench/artifact.ts). */
export interface EncodeOptions {
  /** Encoding of the popularity prior. */
  readonly biasDtype?: ScalarDtype;
  /** Neighbours kept per item, the most similar first (default: all the model has). */
  readonly neighbourCount?: number;
  /**
   * Item order of the artifact: `locality` (default) renumbers items so that
   * neighbours sit close together (smaller id gaps); `catalog` keeps the order given.
   */
  readonly order?: 'locality' | 'catalog';
  /** Largest code of the item vectors (default 127: all of int8) and of the context vectors (default DEFAULT_CONTEXT_CODES). */
  readonly vectorCodes?: number;
  readonly contextCodes?: number;
  readonly maxShardBytes?: number;
  /** Called as the encoding goes: stage name, work done, its total, and the unit counted. */
  readonly onProgress?: (stage: string, done: number, total: number, unit: 'rows' | 'files') => void;
}

/** Default encoding of the popularity prior (bench/results/artifact-*.json: same quality as float32 at half its size). */
export const DEFAULT_BIAS_DTYPE: ScalarDtype = 'int16';

/**
 * Default largest code of the context vectors: 31 levels instead of 255. A
 * context row only moves the start towards the clicks (averaged over them,
 * then corrected by the gradient steps); on MovieLens 100K and Last.fm nDCG@10
 * stayed within ±0.2% of full int8 at every k while the codes gzip ~15 B per
 * item smaller on a dense 45k-item shop (bench/results/artifact-*.json). The
 * layout is still int8 rows with a float32 scale; the item vectors, which rank
 * the catalog, keep all 255 levels.
 */
export const DEFAULT_CONTEXT_CODES = 15;

/** Per-visitor parameters as JSON number lists, dim-sized ones padded with zeros to the stored dim. */
function userJson(user: FinishedModel['user'], dim: number, stored: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const name of USER_PARAM_NAMES) {
    const values = user[name];
    const want = userParamLength(name, dim);
    if (!values || values.length !== want) throw new Error(`encodeModelV2: the per-visitor parameter "${name}" has ${values?.length ?? 'no'} values, expected ${want}.`);
  }
  for (const [name, values] of Object.entries(user)) {
    const perDim = name === 'userInit' || name === 'logLrUser';
    const padded = perDim ? [...values, ...new Array<number>(stored - dim).fill(0)] : Array.from(values);
    if (!padded.every(Number.isFinite)) throw new Error(`encodeModelV2: the per-visitor parameter "${name}" has a non-finite value; retrain the model.`);
    out[name] = padded.map(float32Json);
  }
  return out;
}

/** The shortest decimal that reads back as the same float32 (JSON of a float32 otherwise prints 17 digits). */
function float32Json(value: number): number {
  const f = Math.fround(value);
  for (let digits = 6; digits < 9; digits++) {
    const short = Number(f.toPrecision(digits));
    if (Math.fround(short) === f) return short;
  }
  return Number(f.toPrecision(9));
}

/**
 * The files of a format v2 artifact (pure: the caller writes them): the item
 * table quantized to int8 rows, the prior, the neighbour lists, the catalog,
 * all cut into shards of at most 4 MB, and model.json listing every file.
 */
export async function encodeModelV2(model: FinishedModel, options: EncodeOptions = {}): Promise<Record<string, Uint8Array>> {
  const { items, dim } = model;
  const progress = options.onProgress ?? (() => {});
  const maxBytes = options.maxShardBytes ?? MAX_SHARD_BYTES;
  if (model.catalog.length !== items) throw new Error(`encodeModelV2: the catalog has ${model.catalog.length} items, the item table ${items}.`);
  for (const [name, array, width] of [['vectors', model.vectors, dim], ['context', model.context, dim], ['bias', model.bias, 1]] as const) {
    if (array.length !== items * width) throw new Error(`encodeModelV2: "${name}" has ${array.length} values, expected ${items} × ${width}.`);
  }
  checkCatalog(model.catalog); // before renumbering: errors name the item's place in the input
  const stored = paddedDim(dim);
  const user = userJson(model.user, dim, stored);
  const nb = model.neighbours;
  const position = options.order === 'catalog' ? localityOrder(items) : localityOrder(items, nb);
  const source = new Int32Array(items);
  position.forEach((to, from) => (source[to] = from));
  const stream = new StreamWriter();
  const sections: Record<string, Section> = {};
  progress('quantize', 0, 2 * items, 'rows');
  sections['vectors'] = writeInt8Rows(stream, quantizeRows(permuteRows(model.vectors, dim, position), items, dim, options.vectorCodes));
  progress('quantize', items, 2 * items, 'rows');
  sections['context'] = writeInt8Rows(stream, quantizeRows(permuteRows(model.context, dim, position), items, dim, options.contextCodes ?? DEFAULT_CONTEXT_CODES));
  progress('quantize', 2 * items, 2 * items, 'rows');
  sections['bias'] = writeScalars(stream, permuteRows(model.bias, 1, position), options.biasDtype ?? DEFAULT_BIAS_DTYPE);
  // Both lists in the renumbered order; only the neighbours may be cut shorter (the transitions are few already).
  const writeLists = (name: 'neighbours' | 'transitions', lists: Neighbours, maxPerRow: number): void => {
    const m = lists.m;
    const encoded = encodeItemLists(items, items, (r) => {
      if (r % 4096 === 0) progress(name, r, items, 'rows');
      const row = { ids: [] as number[], weights: [] as number[] };
      const from = source[r]!;
      for (let s = 0; s < m && lists.ids[from * m + s]! >= 0; s++) {
        row.ids.push(position[lists.ids[from * m + s]!]!);
        row.weights.push(lists.sims[from * m + s]!);
      }
      return row;
    }, maxPerRow);
    progress(name, items, items, 'rows');
    sections[name] = writeItemLists(stream, encoded);
  };
  if (nb && nb.m > 0) writeLists('neighbours', nb, options.neighbourCount ?? nb.m);
  if (model.transitions && model.transitions.m > 0) writeLists('transitions', model.transitions, model.transitions.m);
  const files: Record<string, Uint8Array> = {};
  const weights = stream.shards(maxBytes).map((shard, i) => {
    const name = shardName('weights', i, 'bin');
    files[name] = shard;
    return name;
  });
  const catalog = encodeCatalog(Array.from(source, (from) => model.catalog[from]!), maxBytes);
  Object.assign(files, catalog.files);
  const entries: Record<string, FileEntry> = {};
  const names = Object.keys(files);
  for (const [i, name] of names.entries()) {
    progress('hash', i, names.length, 'files');
    entries[name] = { sha256: await sha256Hex(files[name]!), bytes: files[name]!.byteLength };
  }
  progress('hash', names.length, names.length, 'files');
  const shape = { items, dim: stored };
  const adaptation = { steps: model.steps, negativeWeight: model.negativeWeight };
  // The version names everything the runtime reads: any change to a file, a parameter or a section gives a new one.
  const digest = await sha256Hex(new TextEncoder().encode(JSON.stringify({ entries, user, sections, shape, adaptation })));
  const meta: MetaV2 = {
    format: ARTIFACT_FORMAT,
    formatVersion: FORMAT_VERSION_2,
    version: `${model.algorithm}-${digest.slice(0, 12)}`,
    algorithm: model.algorithm,
    shape,
    adaptation,
    user,
    sections,
    weights,
    catalog: catalog.shards,
    training: model.training,
    data: model.data,
    validation: model.validation,
    files: entries,
  };
  const json: ModelJsonV2 = { format: ARTIFACT_FORMAT, generatedBy: 'localrec train', localrec: meta };
  return { 'model.json': new TextEncoder().encode(JSON.stringify(json, null, 1)), ...files };
}
