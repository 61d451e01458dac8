import type { Int8Model, UserParams } from '../../core/int8-model';
import type { ItemLists } from '../../core/item-lists';
import { sha256Hex } from '../sha256';
import { checkModelJsonV2 } from './check';
import type { Int8RowsSection, ItemListsSection, MetaV2, ScalarsSection } from './format';
import type { ItemCatalog } from '../item-catalog';
import { packCatalog } from './packed-catalog';
import { readInt8Rows, readItemLists, readScalars } from './sections';
import { StreamReader } from './stream';

/** A decoded v2 artifact: metadata, catalog, and the quantized model the int8 click path runs. */
export interface DecodedModelV2 {
  readonly meta: MetaV2;
  /** The catalog shards kept packed: ids found through a hash table, an item parsed when asked for. */
  readonly catalog: ItemCatalog;
  readonly model: Int8Model;
  /** Every item-list section by name (`neighbours` and `transitions` are also the model's). */
  readonly lists: Readonly<Record<string, ItemLists>>;
}

type Files = Readonly<Record<string, ArrayBuffer | Uint8Array>>;

const asBytes = (b: ArrayBuffer | Uint8Array): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(b));

/** Throws unless every listed file is present with its size; the error names the file and the fix. */
function checkSizesV2(meta: MetaV2, files: Files): void {
  for (const [name, entry] of Object.entries(meta.files)) {
    const bytes = files[name];
    if (!bytes) throw new Error(`Artifact ${meta.version} is missing "${name}": download every file listed in model.json.`);
    if (bytes.byteLength !== entry.bytes) {
      const how = bytes.byteLength < entry.bytes ? 'The download was cut short' : 'The file is not the one model.json describes';
      throw new Error(`Artifact file "${name}" of model ${meta.version} has ${bytes.byteLength} bytes, expected ${entry.bytes}. ${how}; it was not used. Download it again, or serve the files the trainer wrote.`);
    }
  }
}

/** Throws unless every listed file is present with its size and SHA-256; the error names the file and the fix. */
export async function verifyFilesV2(meta: MetaV2, files: Files): Promise<void> {
  checkSizesV2(meta, files);
  for (const [name, entry] of Object.entries(meta.files)) {
    const actual = await sha256Hex(files[name]!);
    if (actual !== entry.sha256) {
      throw new Error(`Artifact file "${name}" of model ${meta.version} failed verification: SHA-256 ${actual}, expected ${entry.sha256}. The file is corrupted or was tampered with; it was not used.`);
    }
  }
}

export interface DecodeOptions {
  /**
   * Check every file's SHA-256 and every catalog item (default true). False
   * only for bytes this runtime verified and decoded before storing them (the
   * IndexedDB cache): sizes, sections, lists, catalog counts and id
   * uniqueness are checked either way.
   */
  readonly hashes?: boolean;
}

/**
 * Verifies and decodes a v2 artifact: model.json's structure, every file's
 * size and SHA-256, every section against the shape, the catalog against the
 * model. The item table stays quantized; nothing is a tfjs tensor. The
 * sections are copied out of the weight shards (which can then be dropped);
 * the catalog keeps views on its shards.
 */
export async function decodeModelV2(json: unknown, files: Files, options: DecodeOptions = {}): Promise<DecodedModelV2> {
  const meta = checkModelJsonV2(json).localrec;
  if (options.hashes === false) checkSizesV2(meta, files);
  else await verifyFilesV2(meta, files);
  const items = meta.shape.items;
  const stream = new StreamReader(meta.weights.map((f) => asBytes(files[f]!)));
  const sections = meta.sections;
  const vectors = readInt8Rows(stream, 'vectors', sections['vectors'] as Int8RowsSection);
  const context = readInt8Rows(stream, 'context', sections['context'] as Int8RowsSection);
  const bias = readScalars(stream, 'bias', sections['bias'] as ScalarsSection);
  const lists: Record<string, ItemLists> = {};
  for (const [name, section] of Object.entries(sections)) {
    if (section.type === 'item-lists') lists[name] = readItemLists(stream, name, section as ItemListsSection, items);
  }
  const user = Object.fromEntries(Object.entries(meta.user).map(([name, values]) => [name, Float32Array.from(values)])) as unknown as UserParams;
  const catalogFiles = Object.fromEntries(meta.catalog.map((c) => [c.file, asBytes(files[c.file]!)]));
  const catalog = packCatalog(meta.catalog, catalogFiles, items, { checked: options.hashes === false });
  const { neighbours, transitions } = lists;
  return {
    meta,
    catalog,
    model: { items: { vectors, context, bias }, user, ...(neighbours ? { neighbours } : {}), ...(transitions ? { transitions } : {}) },
    lists,
  };
}
