// Ways to store item-item neighbour lists, measured against each other in
// bench/artifact.ts: what each costs (raw and gzip bytes per item) at a given
// neighbour count. Only the last, "locality order (shipped)", is what format v2
// writes (core/item-lists.ts, artifact/v2/order.ts); the others show what it saves.
import { gzipSync } from 'node:zlib';
import { encodeItemLists, WEIGHT_MAX } from '../src/core/item-lists';
import type { Neighbours } from '../src/core/neighbours';
import { localityOrder } from '../src/artifact/v2/order';

/** One list row kept for a count: the most similar `count` entries, as training ranks them. */
interface Entry {
  readonly id: number;
  readonly sim: number;
}

function rows(nb: Neighbours, count: number): Entry[][] {
  const out: Entry[][] = [];
  for (let r = 0; r * nb.m < nb.ids.length; r++) {
    const row: Entry[] = [];
    for (let s = 0; s < nb.m && row.length < count; s++) {
      const id = nb.ids[r * nb.m + s]!;
      if (id >= 0) row.push({ id, sim: nb.sims[r * nb.m + s]! });
    }
    out.push(row);
  }
  return out;
}

const gzip = (parts: readonly Uint8Array[]): number => parts.reduce((a, p) => a + gzipSync(p).byteLength, 0);
const raw = (parts: readonly Uint8Array[]): number => parts.reduce((a, p) => a + p.byteLength, 0);

/** Little-endian fixed-width integers. */
function fixed(values: readonly number[], width: number): Uint8Array {
  const out = new Uint8Array(values.length * width);
  values.forEach((v, i) => {
    for (let b = 0; b < width; b++) out[i * width + b] = Math.floor(v / 256 ** b) & 255;
  });
  return out;
}

export interface ListEncodingRow {
  encoding: string;
  neighbours: number;
  entries_per_item: number;
  bytes_per_item: number;
  gzip_bytes_per_item: number;
}

/** Every encoding of the lists kept at `count` per item (each part gzipped on its own). */
export function listEncodings(nb: Neighbours, items: number, count: number): ListEncodingRow[] {
  const kept = rows(nb, count);
  const max = kept.reduce((a, r) => r.reduce((b, e) => Math.max(b, e.sim), a), 1e-30);
  const scale = Math.fround(max / WEIGHT_MAX);
  const code = (s: number): number => Math.round(s / scale);
  const nonZero = kept.map((r) => r.filter((e) => code(e.sim) > 0));
  const width = items <= 2 ** 16 ? 2 : items <= 2 ** 24 ? 3 : 4;
  const entries = nonZero.reduce((a, r) => a + r.length, 0);
  const out: ListEncodingRow[] = [];
  const add = (encoding: string, parts: Uint8Array[], stored = entries): void => {
    out.push({ encoding, neighbours: count, entries_per_item: stored / items, bytes_per_item: raw(parts) / items, gzip_bytes_per_item: gzip(parts) / items });
  };
  // v1: float32 ids and sims, count slots per item (padding -1).
  const padded = kept.map((r) => Array.from({ length: count }, (_, s) => r[s] ?? { id: -1, sim: 0 }));
  add('v1: float32 ids + float32 sims, padded', [new Uint8Array(Float32Array.from(padded.flat(), (e) => e.id).buffer), new Uint8Array(Float32Array.from(padded.flat(), (e) => e.sim).buffer)], items * count);
  add(`u${8 * width} ids + u8 sims, padded`, [fixed(padded.flat().map((e) => (e.id < 0 ? 2 ** (8 * width) - 1 : e.id)), width), Uint8Array.from(padded.flat(), (e) => code(e.sim))], items * count);
  const counts = Uint8Array.from(nonZero, (r) => Math.min(255, r.length));
  add(`u${8 * width} ids + u8 sims, similarity order, no padding or zero codes`, [counts, fixed(nonZero.flat().map((e) => e.id), width), Uint8Array.from(nonZero.flat(), (e) => code(e.sim))]);
  const sorted = nonZero.map((r) => [...r].sort((a, b) => a.id - b.id));
  add(`u${8 * width} ids sorted + u8 sims`, [counts, fixed(sorted.flat().map((e) => e.id), width), Uint8Array.from(sorted.flat(), (e) => code(e.sim))]);
  const deltas = sorted.flatMap((r) => r.map((e, i) => e.id - (i > 0 ? r[i - 1]!.id : 0)));
  add(`u${8 * width} id deltas sorted + u8 sims`, [counts, fixed(deltas, width), Uint8Array.from(sorted.flat(), (e) => code(e.sim))]);
  const lists = encodeItemLists(items, items, (r) => ({ ids: kept[r]!.map((e) => e.id), weights: kept[r]!.map((e) => e.sim) }));
  add('varint id gaps sorted + u8 sims, catalog order', [lists.counts, lists.ids, lists.weights]);
  // The shipped encoding: the same, items renumbered so that neighbours sit together.
  const position = localityOrder(items, nb);
  const source = new Int32Array(items);
  position.forEach((to, from) => (source[to] = from));
  const local = encodeItemLists(items, items, (r) => ({ ids: kept[source[r]!]!.map((e) => position[e.id]!), weights: kept[source[r]!]!.map((e) => e.sim) }));
  add('varint id gaps sorted + u8 sims, locality order (shipped)', [local.counts, local.ids, local.weights]);
  out.push(...[['ids', local.ids], ['weights', local.weights]].map(([part, bytes]) => ({
    encoding: `  shipped: ${part as string} alone`,
    neighbours: count,
    entries_per_item: entries / items,
    bytes_per_item: (bytes as Uint8Array).byteLength / items,
    gzip_bytes_per_item: gzip([bytes as Uint8Array]) / items,
  })));
  return out;
}
