/**
 * Each section type of format v2 to and from the weight stream: int8 rows,
 * a column of scalars (float32 or linear int16/int8 codes) and item lists.
 * Decoding checks what the bytes hold (finite scales, ids in range) and names
 * the section in every error.
 */

import type { Int8Rows } from '../../core/int8-rows';
import { indexItemLists, type ItemLists } from '../../core/item-lists';
import type { Int8RowsSection, ItemListsSection, ScalarDtype, ScalarsSection } from './format';
import type { StreamReader, StreamWriter } from './stream';

export function writeInt8Rows(stream: StreamWriter, rows: Int8Rows): Int8RowsSection {
  return { type: 'int8-rows', rows: rows.n, dim: rows.dim, codes: stream.add(rows.codes), scales: stream.add(rows.scales) };
}

function badModel(section: string, what: string): Error {
  return new Error(`Section "${section}" of model.json ${what}: the weights are damaged or were written by another tool; serve the files \`npm run train\` or \`npm run convert\` wrote, unchanged.`);
}

export function readInt8Rows(stream: StreamReader, name: string, s: Int8RowsSection): Int8Rows {
  const codes = new Int8Array(s.rows * s.dim);
  const scales = new Float32Array(s.rows);
  stream.read(s.codes, codes);
  stream.read(s.scales, scales);
  const bad = scales.findIndex((v) => !(v >= 0) || !Number.isFinite(v));
  if (bad >= 0) throw badModel(name, `has the row scale ${scales[bad]} at row ${bad} (scales are finite and ≥ 0)`);
  return { n: s.rows, dim: s.dim, codes, scales };
}

/** A column of numbers in `dtype`; int codes map `[min, max]` linearly onto the symmetric code range. */
export function writeScalars(stream: StreamWriter, values: Float32Array, dtype: ScalarDtype): ScalarsSection {
  if (dtype === 'float32') return { type: 'scalars', rows: values.length, dtype, values: stream.add(values) };
  const top = dtype === 'int16' ? 32767 : 127;
  let [min, max] = [Infinity, -Infinity];
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length === 0) [min, max] = [0, 0];
  const offset = Math.fround((min + max) / 2);
  const scale = max > min ? Math.fround((max - min) / (2 * top)) : 1;
  const codes = dtype === 'int16' ? new Int16Array(values.length) : new Int8Array(values.length);
  values.forEach((v, i) => (codes[i] = Math.max(-top, Math.min(top, Math.round((v - offset) / scale)))));
  return { type: 'scalars', rows: values.length, dtype, scale, offset, values: stream.add(codes) };
}

export function readScalars(stream: StreamReader, name: string, s: ScalarsSection): Float32Array {
  if (s.dtype === 'float32') {
    const out = new Float32Array(s.rows);
    stream.read(s.values, out);
    const bad = out.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw badModel(name, `has the non-finite value ${out[bad]} at row ${bad}`);
    return out;
  }
  const codes = s.dtype === 'int16' ? new Int16Array(s.rows) : new Int8Array(s.rows);
  stream.read(s.values, codes);
  const [scale, offset] = [s.scale!, s.offset!];
  return Float32Array.from(codes, (c) => offset + c * scale);
}

export function writeItemLists(stream: StreamWriter, lists: ItemLists): ItemListsSection {
  return {
    type: 'item-lists',
    rows: lists.rows,
    entries: lists.entries,
    scale: lists.scale,
    counts: stream.add(lists.counts),
    ids: stream.add(lists.ids),
    weights: stream.add(lists.weights),
  };
}

/** Decodes and checks lists whose items index a catalog of `items`. */
export function readItemLists(stream: StreamReader, name: string, s: ItemListsSection, items: number): ItemLists {
  const [counts, ids, weights] = [new Uint8Array(s.counts.bytes), new Uint8Array(s.ids.bytes), new Uint8Array(s.weights.bytes)];
  stream.read(s.counts, counts);
  stream.read(s.ids, ids);
  stream.read(s.weights, weights);
  try {
    const lists = indexItemLists(s.rows, items, counts, ids, weights, s.scale);
    if (lists.entries !== s.entries) throw new Error(`${lists.entries} entries, model.json says ${s.entries}`);
    return lists;
  } catch (error) {
    throw badModel(name, `does not decode (${(error as Error).message.replace(/\.$/, '')})`);
  }
}
