/**
 * Per-item lists of (item, weight) pairs kept in the compact form format v2
 * ships and the runtime holds in memory: the item-item neighbours and the
 * item → next-item transitions. Only the clicked items' lists are ever
 * read, so they stay encoded and are decoded row by row on demand:
 *
 * - `counts`: entries per row, LEB128 varints;
 * - `ids`: each row's items in increasing order, LEB128 varints: the first as
 *   its signed distance from the row's own index (zigzag: 0, -1, 1, -2 … ↦
 *   0, 1, 2, 3 …), then gaps id − previous − 1. Small numbers when items are
 *   ordered so that neighbours sit together (artifact/v2/order.ts);
 * - `weights`: one byte per entry, value `code · scale` (entries whose code
 *   would be 0 are not stored: they add nothing to any sum).
 *
 * Pure and tensor-free, shared by the encoder, the decoder and the click path.
 */
export interface ItemLists {
  readonly rows: number;
  readonly entries: number;
  readonly counts: Uint8Array;
  readonly ids: Uint8Array;
  readonly weights: Uint8Array;
  /** Value of weight code 1. */
  readonly scale: number;
  /** Every BLOCK-th row's start: byte in `counts`, byte in `ids`, entry index (3 per block). */
  readonly index: Uint32Array;
}

/** Rows between two index points: reading a row scans at most this many rows before it. */
const BLOCK = 32;

/** Largest weight code. */
export const WEIGHT_MAX = 255;

/** One row to encode: items (distinct catalog indices) and their float weights (≥ 0). */
export interface ListRow {
  readonly ids: ArrayLike<number>;
  readonly weights: ArrayLike<number>;
}

/** A growing byte buffer (a catalog of 1M items has ~50M entries: no JS array of numbers). */
class ByteWriter {
  private buf = new Uint8Array(1024);
  length = 0;
  private room(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + bytes));
    grown.set(this.buf);
    this.buf = grown;
  }
  byte(value: number): void {
    this.room(1);
    this.buf[this.length++] = value;
  }
  varint(value: number): void {
    this.room(5);
    do {
      const byte = value & 0x7f;
      value >>>= 7;
      this.buf[this.length++] = value ? byte | 0x80 : byte;
    } while (value);
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/**
 * Encodes rows of (item, weight): weights in 8 bits with one scale (largest
 * weight ↦ 255), entries rounding to 0 dropped, items sorted and gap-coded.
 * `maxPerRow` keeps only each row's heaviest entries (ties: lower id).
 */
export function encodeItemLists(rows: number, items: number, row: (r: number) => ListRow, maxPerRow = Infinity): ItemLists {
  let max = 0;
  for (let r = 0; r < rows; r++) {
    const { ids, weights } = row(r);
    if (ids.length !== weights.length) throw new Error(`encodeItemLists: row ${r} has ${ids.length} items but ${weights.length} weights.`);
    for (let e = 0; e < weights.length; e++) {
      const w = weights[e]!;
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`encodeItemLists: row ${r} has the weight ${w}; weights must be finite and ≥ 0.`);
      max = Math.max(max, w);
    }
  }
  const scale = max > 0 ? Math.fround(max / WEIGHT_MAX) : 1;
  const counts = new ByteWriter();
  const ids = new ByteWriter();
  const weights = new ByteWriter();
  for (let r = 0; r < rows; r++) {
    const list = row(r);
    const kept = Array.from(list.ids, (id, e) => ({ id, code: Math.round(list.weights[e]! / scale), w: list.weights[e]! }))
      .filter((x) => x.code > 0)
      .sort((a, b) => b.w - a.w || a.id - b.id)
      .slice(0, maxPerRow)
      .sort((a, b) => a.id - b.id);
    counts.varint(kept.length);
    let previous = -1;
    for (const { id, code } of kept) {
      if (!Number.isInteger(id) || id < 0 || id >= items || id === previous) {
        throw new Error(`encodeItemLists: row ${r} has the item ${id}; items must be distinct whole numbers from 0 to ${items - 1}.`);
      }
      ids.varint(previous < 0 ? zigzag(id - r) : id - previous - 1);
      weights.byte(code);
      previous = id;
    }
  }
  return indexItemLists(rows, items, counts.bytes(), ids.bytes(), weights.bytes(), scale);
}

/** Signed → unsigned for varints: 0, -1, 1, -2, … ↦ 0, 1, 2, 3, … (arithmetic: no 32-bit overflow). */
const zigzag = (value: number): number => (value >= 0 ? 2 * value : -2 * value - 1);
const unzigzag = (value: number): number => (value % 2 === 0 ? value / 2 : -(value + 1) / 2);

/** Reads one varint at `at`; returns the value and the next position, or throws past `end`. */
function readVarint(bytes: Uint8Array, at: number, what: string): [number, number] {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= bytes.length) throw new Error(`${what}: a number runs past the end of the data (byte ${at}).`);
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
  }
  throw new Error(`${what}: a number longer than 5 bytes at byte ${at}.`);
}

/**
 * Checks encoded lists end to end (every count and id in range, every byte
 * used) and builds the row index; throws naming the first problem.
 */
export function indexItemLists(rows: number, items: number, counts: Uint8Array, ids: Uint8Array, weights: Uint8Array, scale: number): ItemLists {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`Item lists have the weight scale ${scale}; it must be a finite number > 0.`);
  const index = new Uint32Array(3 * Math.ceil(rows / BLOCK));
  let [c, b, entries] = [0, 0, 0];
  for (let r = 0; r < rows; r++) {
    if (r % BLOCK === 0) index.set([c, b, entries], 3 * (r / BLOCK));
    let count: number;
    [count, c] = readVarint(counts, c, `Item list counts (row ${r})`);
    let id = -1;
    for (let e = 0; e < count; e++) {
      let value: number;
      [value, b] = readVarint(ids, b, `Item list ids (row ${r})`);
      id = e === 0 ? r + unzigzag(value) : id + value + 1;
      if (id < 0 || id >= items) throw new Error(`Item list of row ${r} names item ${id}; the catalog has ${items} items.`);
    }
    entries += count;
  }
  if (c !== counts.length || b !== ids.length || entries !== weights.length) {
    throw new Error(
      `Item lists do not fit together: ${rows} rows use ${c} of ${counts.length} count bytes, ${b} of ${ids.length} id bytes and ${entries} of ${weights.length} weights.`,
    );
  }
  return { rows, entries, counts, ids, weights, scale, index };
}

/** A position in the encoded lists: byte in `counts`, byte in `ids`, entry index. */
interface Cursor {
  c: number;
  b: number;
  entry: number;
}

/** The row count at the cursor (a varint), moving the cursor past it. */
function nextCount(counts: Uint8Array, at: Cursor): number {
  let count = 0;
  for (let shift = 1; ; shift *= 128) {
    const byte = counts[at.c++]!;
    count += (byte & 0x7f) * shift;
    if (byte < 0x80) return count;
  }
}

/** Calls `visit(item, weight, r)` for the `count` entries of row `r` at the cursor, moving it past them. */
function visitRow(lists: ItemLists, r: number, count: number, at: Cursor, visit: (item: number, weight: number, row: number) => void): void {
  const { ids, weights, scale } = lists;
  let id = -1;
  for (let e = 0; e < count; e++) {
    let value = 0;
    for (let shift = 1; ; shift *= 128) {
      const byte = ids[at.b++]!;
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) break;
    }
    id = e === 0 ? r + unzigzag(value) : id + value + 1;
    visit(id, weights[at.entry++]! * scale, r);
  }
}

/** Calls `visit(item, weight)` for every entry of row `r`, in increasing item order. */
export function forEachInRow(lists: ItemLists, r: number, visit: (item: number, weight: number) => void): void {
  const block = Math.floor(r / BLOCK);
  let c = lists.index[3 * block]!;
  let b = lists.index[3 * block + 1]!;
  let entry = lists.index[3 * block + 2]!;
  const { counts, ids } = lists;
  // Skip the rows between the index point and r: their counts say how many ids to pass (locals: the hot loop of a click).
  for (let skip = block * BLOCK; skip < r; skip++) {
    let count = 0;
    for (let shift = 1; ; shift *= 128) {
      const byte = counts[c++]!;
      count += (byte & 0x7f) * shift;
      if (byte < 0x80) break;
    }
    for (let e = 0; e < count; e++) while (ids[b++]! >= 0x80);
    entry += count;
  }
  const at: Cursor = { c, b, entry };
  visitRow(lists, r, nextCount(counts, at), at, visit);
}

/** Entries of the longest row (reads the counts only, not the ids). */
export function maxRowLength(lists: ItemLists): number {
  const at: Cursor = { c: 0, b: 0, entry: 0 };
  let longest = 0;
  for (let r = 0; r < lists.rows; r++) longest = Math.max(longest, nextCount(lists.counts, at));
  return longest;
}

/**
 * Calls `visit(item, weight, row)` for every entry, rows in order and items
 * increasing within a row: one sequential walk of the bytes, for decoding
 * whole lists (forEachInRow would rescan up to BLOCK rows before each row).
 */
export function forEachEntry(lists: ItemLists, visit: (item: number, weight: number, row: number) => void): void {
  const at: Cursor = { c: 0, b: 0, entry: 0 };
  for (let r = 0; r < lists.rows; r++) visitRow(lists, r, nextCount(lists.counts, at), at, visit);
}

/** Entries of row `r` as arrays (items increasing). */
export function listRow(lists: ItemLists, r: number): { ids: number[]; weights: number[] } {
  const out = { ids: [] as number[], weights: [] as number[] };
  forEachInRow(lists, r, (id, w) => {
    out.ids.push(id);
    out.weights.push(w);
  });
  return out;
}

/**
 * Mean list weight of every item over the clicked ones' lists, written into
 * `out` (length = catalog items, zeroed first): the item-item row of core/neighbours
 * computed from encoded lists. Repeated clicks count again.
 */
export function meanListRow(lists: ItemLists, clicks: ArrayLike<number>, out: Float32Array): Float32Array {
  out.fill(0);
  if (clicks.length === 0) return out;
  const w = 1 / clicks.length;
  for (let c = 0; c < clicks.length; c++) forEachInRow(lists, clicks[c]!, (item, weight) => (out[item]! += w * weight));
  return out;
}
