/**
 * Format v2's catalog as the runtime holds it: the shards' JSON bytes as
 * served, each item's byte range in them, and the ids packed as UTF-8 behind
 * an open-addressing hash table. An item is parsed only when a ranking shows
 * it. At 100k items this is the catalog's bytes plus ~20 B per item, where one
 * JS object per item (with its strings and a Map entry) cost ~150 B
 * (bench/results/artifact-browser-*.json).
 */

import { quote } from '../check';
import type { ItemCatalog } from '../item-catalog';
import { checkItem } from './catalog';
import type { CatalogItemV2, CatalogShard } from './format';

const [QUOTE, BACKSLASH, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY] = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d];
const ITEMS_KEY = new TextEncoder().encode('"items"');

/**
 * Writes the byte range of every object in the top-level "items" array of one
 * catalog shard into `starts`/`ends` from `at`; returns how many it found.
 * A byte scan (strings and escapes skipped, nesting counted): JSON.parse has
 * already checked the syntax, and gives no positions.
 */
function scanItems(bytes: Uint8Array, starts: Uint32Array, ends: Uint32Array, at: number, limit: number): number {
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
        if (found < limit) [starts[at + found], ends[at + found]] = [start, i + 1];
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

/** Ids as UTF-8 one after the other, and where each starts (a growing buffer: no JS string per item). */
class IdBytes {
  bytes = new Uint8Array(1 << 16);
  readonly starts: Uint32Array;
  private readonly encoder = new TextEncoder();
  constructor(items: number) {
    this.starts = new Uint32Array(items + 1);
  }
  add(i: number, id: string): void {
    const at = this.starts[i]!;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (at + 3 * id.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.bytes.length, at + 3 * id.length));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
    }
    this.starts[i + 1] = at + this.encoder.encodeInto(id, this.bytes.subarray(at)).written;
  }
  trim(): void {
    this.bytes = this.bytes.slice(0, this.starts[this.starts.length - 1]!);
  }
}

/**
 * Parses and checks the catalog shards in order against model.json's shard
 * list (counts, ids, links, unique ids) and keeps them packed. `files` holds
 * the shards' bytes, which the catalog keeps (views, not copies).
 */
export function packCatalog(shards: readonly CatalogShard[], files: Readonly<Record<string, Uint8Array>>, items: number): ItemCatalog {
  const decoder = new TextDecoder();
  const starts = new Uint32Array(items);
  const ends = new Uint32Array(items);
  // first[s]: the first item of shard s (first[shards.length] = items).
  const first = new Uint32Array(shards.length + 1);
  const ids = new IdBytes(items);
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
    for (const raw of list as CatalogItemV2[]) {
      checkItem(raw, `${shard.file} item ${n}`);
      ids.add(n++, raw.id);
    }
    const found = scanItems(bytes, starts, ends, first[s]!, list.length);
    if (found !== list.length) throw new Error(`${shard.file} holds ${list.length} items but ${found} item objects: each item must be a JSON object; serve the catalog shards the trainer wrote, unchanged.`);
    first[s + 1] = n;
  });
  if (n !== items) throw new Error(`The catalog shards hold ${n} items, but the model has ${items}: the catalog does not match the model.`);
  ids.trim();
  const table = idTable(ids, items, shards, first);
  const views = shards.map((shard) => files[shard.file]!);
  return new PackedCatalog(items, views, first, starts, ends, ids, table);
}

/** Open addressing, linear probing, at most half full: item index + 1 per slot (0: empty). Throws on a repeated id. */
function idTable(ids: IdBytes, items: number, shards: readonly CatalogShard[], first: Uint32Array): Int32Array {
  let capacity = 2;
  while (capacity < 2 * items) capacity *= 2;
  const table = new Int32Array(capacity);
  const mask = capacity - 1;
  const { bytes, starts } = ids;
  for (let i = 0; i < items; i++) {
    const [from, to] = [starts[i]!, starts[i + 1]!];
    for (let slot = hashBytes(bytes, from, to) & mask; ; slot = (slot + 1) & mask) {
      const other = table[slot]! - 1;
      if (other < 0) {
        table[slot] = i + 1;
        break;
      }
      if (sameBytes(bytes, from, to, bytes, starts[other]!, starts[other + 1]!)) {
        let s = 0;
        while (first[s + 1]! <= i) s++;
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

class PackedCatalog implements ItemCatalog {
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();

  constructor(
    readonly length: number,
    private readonly shards: readonly Uint8Array[],
    private readonly first: Uint32Array,
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly ids: IdBytes,
    private readonly table: Int32Array,
  ) {}

  indexOf(id: string): number | undefined {
    const key = this.encoder.encode(id);
    const { bytes, starts } = this.ids;
    const mask = this.table.length - 1;
    for (let slot = hashBytes(key, 0, key.length) & mask; ; slot = (slot + 1) & mask) {
      const i = this.table[slot]! - 1;
      if (i < 0) return undefined;
      if (sameBytes(key, 0, key.length, bytes, starts[i]!, starts[i + 1]!)) return i;
    }
  }

  id(i: number): string {
    this.check(i);
    return this.decoder.decode(this.ids.bytes.subarray(this.ids.starts[i]!, this.ids.starts[i + 1]!));
  }

  item(i: number): CatalogItemV2 {
    this.check(i);
    let s = 0;
    while (this.first[s + 1]! <= i) s++;
    const raw = JSON.parse(this.decoder.decode(this.shards[s]!.subarray(this.starts[i]!, this.ends[i]!))) as CatalogItemV2;
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
