/**
 * Format v2's catalog as the runtime holds it: the shards' JSON bytes as
 * served, where each item's record starts, and an open-addressing hash table
 * from id to item whose keys are the ids' bytes read in place (a record that
 * does not start with its id keeps the id apart). An item is parsed only when
 * a ranking shows it. That is the catalog's bytes plus ~12 B per item, where
 * one JS object per item (with its strings and a Map entry) cost ~150 B
 * (bench/results/artifact-browser-*.json).
 */

import { quote } from '../check';
import type { ItemCatalog } from '../item-catalog';
import { checkItem } from './catalog';
import type { CatalogItemV2, CatalogShard } from './format';

const [QUOTE, BACKSLASH, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY] = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d];
const ITEMS_KEY = new TextEncoder().encode('"items"');

/**
 * Writes where every object in the top-level "items" array of one catalog
 * shard starts into `starts` from `at`; returns how many it found.
 * A byte scan (strings and escapes skipped, nesting counted): JSON.parse has
 * already checked the syntax, and gives no positions.
 */
function scanItems(bytes: Uint8Array, starts: Uint32Array, at: number, limit: number): number {
  let [depth, found, keyStart, keyEnd, start] = [0, 0, -1, -1, -1];
  let inItems = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === QUOTE) {
      const from = i;
      for (i++; i < bytes.length && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++;
      if (depth === 1) [keyStart, keyEnd] = [from, i + 1];
    } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (inItems && depth === 2 && b === OPEN_OBJECT) start = i;
      // The last string at depth 1 before an array is its key.
      if (depth === 1 && b === OPEN_ARRAY) inItems = isItemsKey(bytes, keyStart, keyEnd);
      depth++;
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      depth--;
      if (inItems && depth === 2 && b === CLOSE_OBJECT && start >= 0) {
        if (found < limit) starts[at + found] = start;
        found++;
        start = -1;
      }
      if (depth === 1) inItems = false;
    }
  }
  return found;
}

function isItemsKey(bytes: Uint8Array, from: number, to: number): boolean {
  if (from < 0 || to - from !== ITEMS_KEY.length) return false;
  for (let k = 0; k < ITEMS_KEY.length; k++) if (bytes[from + k] !== ITEMS_KEY[k]) return false;
  return true;
}

/** FNV-1a over bytes `[from, to)`. */
function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let k = from; k < to; k++) h = Math.imul(h ^ bytes[k]!, 0x01000193);
  return h >>> 0;
}

/** `{"id":"`: how the trainer writes every item (id first, JSON.stringify). */
const ID_PREFIX = new TextEncoder().encode('{"id":"');
/** idLength of an item whose id is kept apart (not readable in place from its record). */
const APART = 0xffff;

/**
 * The byte length of `id` where the record at `at` starts with `{"id":"`
 * followed by exactly its characters (ASCII, no escapes) and a quote; else
 * APART. Ids the trainer writes read in place; any other record still works.
 */
function idInPlace(bytes: Uint8Array, at: number, id: string): number {
  for (let k = 0; k < ID_PREFIX.length; k++) if (bytes[at + k] !== ID_PREFIX[k]) return APART;
  const from = at + ID_PREFIX.length;
  if (id.length >= APART) return APART;
  for (let k = 0; k < id.length; k++) {
    const c = id.charCodeAt(k);
    if (c >= 0x80 || c === QUOTE || c === BACKSLASH || bytes[from + k] !== c) return APART;
  }
  return bytes[from + id.length] === QUOTE ? id.length : APART;
}

/** The id a record holds in place after `{"id":"` (ASCII, no escapes), or null. */
function idAt(bytes: Uint8Array, at: number): number | null {
  for (let k = 0; k < ID_PREFIX.length; k++) if (bytes[at + k] !== ID_PREFIX[k]) return null;
  const from = at + ID_PREFIX.length;
  for (let k = from; k < bytes.length && k - from < APART; k++) {
    const b = bytes[k]!;
    if (b === QUOTE) return k - from;
    if (b === BACKSLASH || b >= 0x80) return null;
  }
  return null;
}

/**
 * Parses and checks the catalog shards in order against model.json's shard
 * list (counts, ids, links, unique ids) and keeps them packed. `files` holds
 * the shards' bytes, which the catalog keeps (views, not copies).
 * `checked`: these bytes passed this function before (a verified cached
 * copy): the shards are scanned, not parsed, and only item counts and id
 * uniqueness are checked again (a JSON.parse of every shard is most of a
 * cached start's decoding).
 */
export function packCatalog(shards: readonly CatalogShard[], files: Readonly<Record<string, Uint8Array>>, items: number, options: { readonly checked?: boolean } = {}): ItemCatalog {
  if (options.checked) return packChecked(shards, files, items);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const { starts, idLength, apart, first } = idLayout(items, shards.length);
  let n = 0;
  shards.forEach((shard, s) => {
    const bytes = files[shard.file]!;
    let list: unknown;
    try {
      list = (JSON.parse(decoder.decode(bytes)) as { items?: unknown } | null)?.items;
    } catch (e) {
      throw new Error(`${shard.file} is not valid JSON (${(e as Error).message}): serve the catalog shards the trainer wrote, unchanged.`);
    }
    if (!Array.isArray(list) || list.length !== shard.items) {
      throw new Error(`${shard.file} has ${Array.isArray(list) ? list.length : 'no'} items; model.json says ${shard.items}: the catalog does not match the model.`);
    }
    if (n + list.length > items) throw new Error(`The catalog shards hold more than the model's ${items} items: the catalog does not match the model.`);
    (list as CatalogItemV2[]).forEach((raw, k) => checkItem(raw, `${shard.file} item ${n + k}`));
    const found = scanItems(bytes, starts, n, list.length);
    if (found !== list.length) throw new Error(`${shard.file} holds ${list.length} items but ${found} item objects: each item must be a JSON object; serve the catalog shards the trainer wrote, unchanged.`);
    for (const raw of list as CatalogItemV2[]) {
      const length = idInPlace(bytes, starts[n]!, raw.id);
      // A record that starts with one id but parses to another (a repeated "id" key) would read
      // differently once cached (ids read in place): refused.
      if (length === APART && idAt(bytes, starts[n]!) !== null) throw new Error(`${shard.file} item ${n} (id ${quote(raw.id)}) has the key "id" twice: give each item one id.`);
      idLength[n] = length;
      if (length === APART) apart.set(n, encoder.encode(raw.id));
      n++;
    }
    first[s + 1] = n;
  });
  return packed(shards, files, items, n, { starts, idLength, apart, first });
}

/** packCatalog of shards that passed it before: scanned for record starts, ids read in place (a record parsed only when its id is not). */
function packChecked(shards: readonly CatalogShard[], files: Readonly<Record<string, Uint8Array>>, items: number): ItemCatalog {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const { starts, idLength, apart, first } = idLayout(items, shards.length);
  let n = 0;
  shards.forEach((shard, s) => {
    const bytes = files[shard.file]!;
    const found = n + shard.items <= items ? scanItems(bytes, starts, n, shard.items) : -1;
    if (found !== shard.items) throw new Error(`${shard.file} holds ${found} item objects; model.json says ${shard.items}: the catalog does not match the model.`);
    for (const end = n + shard.items; n < end; n++) {
      const length = idAt(bytes, starts[n]!);
      idLength[n] = length ?? APART;
      if (length === null) apart.set(n, encoder.encode((JSON.parse(decoder.decode(bytes.subarray(starts[n]!, objectEnd(bytes, starts[n]!)))) as CatalogItemV2).id));
    }
    first[s + 1] = n;
  });
  return packed(shards, files, items, n, { starts, idLength, apart, first });
}

/** The per-item arrays both ways of packing fill; first[s] is the first item of shard s (first[shards.length] = items). */
function idLayout(items: number, shardCount: number): Omit<IdSource, 'shards'> & { readonly apart: Map<number, Uint8Array> } {
  return { starts: new Uint32Array(items), idLength: new Uint16Array(items), apart: new Map(), first: new Uint32Array(shardCount + 1) };
}

/** The catalog over the filled layout, once every one of the model's items was found (`n` of them). */
function packed(shards: readonly CatalogShard[], files: Readonly<Record<string, Uint8Array>>, items: number, n: number, layout: Omit<IdSource, 'shards'>): ItemCatalog {
  if (n !== items) throw new Error(`The catalog shards hold ${n} items, but the model has ${items}: the catalog does not match the model.`);
  const ids: IdSource = { shards: shards.map((shard) => files[shard.file]!), ...layout };
  return new PackedCatalog(items, ids, idTable(ids, items, shards));
}

/** Where each id's UTF-8 bytes are: in place in its record (after `{"id":"`), or kept apart. */
interface IdSource {
  readonly shards: readonly Uint8Array[];
  readonly first: Uint32Array;
  /** Byte where item i's record starts in its shard. */
  readonly starts: Uint32Array;
  /** Bytes of item i's id in place, or APART. */
  readonly idLength: Uint16Array;
  readonly apart: ReadonlyMap<number, Uint8Array>;
}

/** The shard holding item `i` (shards are few: a linear walk). */
function shardOf(ids: IdSource, i: number): number {
  let s = 0;
  while (ids.first[s + 1]! <= i) s++;
  return s;
}

/** Item i's id bytes: [buffer, from, to). */
function idBytes(ids: IdSource, i: number, s = shardOf(ids, i)): [Uint8Array, number, number] {
  const length = ids.idLength[i]!;
  if (length === APART) {
    const own = ids.apart.get(i)!;
    return [own, 0, own.length];
  }
  const from = ids.starts[i]! + ID_PREFIX.length;
  return [ids.shards[s]!, from, from + length];
}

/** Slots for at most 70% of the table (open addressing, linear probing): item index + 1 per slot, 0 empty. */
const tableSize = (items: number): number => Math.max(2, Math.ceil(items / 0.7));

/** The id → item table; throws on a repeated id, naming its shard. */
function idTable(ids: IdSource, items: number, shards: readonly CatalogShard[]): Int32Array {
  const table = new Int32Array(tableSize(items));
  const size = table.length;
  let s = 0;
  for (let i = 0; i < items; i++) {
    while (ids.first[s + 1]! <= i) s++;
    const [bytes, from, to] = idBytes(ids, i, s);
    for (let slot = hashBytes(bytes, from, to) % size; ; slot = slot + 1 === size ? 0 : slot + 1) {
      const other = table[slot]! - 1;
      if (other < 0) {
        table[slot] = i + 1;
        break;
      }
      const [b, bFrom, bTo] = idBytes(ids, other);
      if (sameBytes(bytes, from, to, b, bFrom, bTo)) {
        const id = new TextDecoder().decode(bytes.subarray(from, to));
        throw new Error(`${shards[s]!.file} repeats the id ${quote(id)}: ids must be unique.`);
      }
    }
  }
  return table;
}

function sameBytes(a: Uint8Array, aFrom: number, aTo: number, b: Uint8Array, bFrom: number, bTo: number): boolean {
  if (aTo - aFrom !== bTo - bFrom) return false;
  for (let k = 0; k < aTo - aFrom; k++) if (a[aFrom + k] !== b[bFrom + k]) return false;
  return true;
}

/** The end of the JSON object starting at `at` (one past its closing brace): strings skipped, nesting counted. */
function objectEnd(bytes: Uint8Array, at: number): number {
  let depth = 0;
  for (let i = at; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === QUOTE) {
      for (i++; i < bytes.length && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++;
    } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
    else if ((b === CLOSE_OBJECT || b === CLOSE_ARRAY) && --depth === 0) return i + 1;
  }
  return bytes.length;
}

class PackedCatalog implements ItemCatalog {
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();

  constructor(
    readonly length: number,
    private readonly ids: IdSource,
    private readonly table: Int32Array,
  ) {}

  indexOf(id: string): number | undefined {
    const key = this.encoder.encode(id);
    const size = this.table.length;
    for (let slot = hashBytes(key, 0, key.length) % size; ; slot = slot + 1 === size ? 0 : slot + 1) {
      const i = this.table[slot]! - 1;
      if (i < 0) return undefined;
      const [bytes, from, to] = idBytes(this.ids, i);
      if (sameBytes(key, 0, key.length, bytes, from, to)) return i;
    }
  }

  id(i: number): string {
    this.check(i);
    const [bytes, from, to] = idBytes(this.ids, i);
    return this.decoder.decode(bytes.subarray(from, to));
  }

  item(i: number): CatalogItemV2 {
    this.check(i);
    const bytes = this.ids.shards[shardOf(this.ids, i)]!;
    const start = this.ids.starts[i]!;
    const raw = JSON.parse(this.decoder.decode(bytes.subarray(start, objectEnd(bytes, start)))) as CatalogItemV2;
    const { url, image } = raw;
    return {
      id: raw.id,
      title: String(raw.title ?? raw.id),
      tags: Array.isArray(raw.tags) ? raw.tags.map(String) : [],
      ...(typeof url === 'string' ? { url } : {}),
      ...(typeof image === 'string' ? { image } : {}),
    };
  }

  private check(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) throw new RangeError(`Catalog item ${i} does not exist: the catalog has ${this.length} items.`);
  }
}
