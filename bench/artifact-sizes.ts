// What a visitor downloads, v1 against format v2, for a trained model's v1
// directory: the size rows, the bytes of each part of v2, the
// encodings of the neighbour lists and the neighbour counts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArtifact } from '../src/artifact';
import { decodeModelV2, DEFAULT_BIAS_DTYPE, DEFAULT_CONTEXT_CODES, SCALAR_DTYPES, type ScalarDtype } from '../src/artifact/v2';
import { quantizedAdaptModel } from '../src/core/int8-model';
import { writeScalars } from '../src/artifact/v2/sections';
import { StreamWriter } from '../src/artifact/v2/stream';
import { quantizeRows } from '../src/core/int8-rows';
import { v2FromV1 } from '../src/cli/v2-output';
import { listEncodings, type ListEncodingRow } from './list-encodings';

/** The row: bytes as served and gzip (each file on its own, zlib level 6 as a web server compresses). */
export interface SizeRow {
  model: string;
  items: number;
  bytes: number;
  gzip_bytes: number;
  bytes_per_item_gzip: number;
}

export interface PartRow {
  model: string;
  part: string;
  bytes_per_item: number;
  gzip_bytes_per_item: number;
}

export interface CountRow {
  model: string;
  neighbours: number;
  entries_per_item: number;
  weights_gzip_bytes_per_item: number;
}

/** Bytes the decoded model's arrays take once the int8 kernel holds the item vectors (catalog objects not counted). */
export interface MemoryRow {
  model: string;
  items: number;
  kernel_bytes_per_item: number;
  context_bytes_per_item: number;
  lists_bytes_per_item: number;
  total_bytes_per_item: number;
  served_bytes_per_item: number;
}

export interface SizeReport {
  memory: MemoryRow[];
  sizes: SizeRow[];
  parts: PartRow[];
  listEncodings: (ListEncodingRow & { model: string })[];
  neighbourCounts: CountRow[];
}

const gz = (b: Uint8Array): number => gzipSync(b, { level: 6 }).byteLength;
const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function sizeRow(model: string, items: number, files: readonly Uint8Array[]): SizeRow {
  const bytes = files.reduce((a, f) => a + f.byteLength, 0);
  const gzip = files.reduce((a, f) => a + gz(f), 0);
  return { model, items, bytes, gzip_bytes: gzip, bytes_per_item_gzip: gzip / items };
}

/** Reads a v1 directory's artifact files. */
export async function readV1Dir(dir: string): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  for (const name of ['model.json', 'weights.bin', 'catalog.json']) files[name] = new Uint8Array(await readFile(join(dir, name)));
  return files;
}

/** Every size measure of one model (its v1 files), with neighbour counts `counts` (0: the model's own). */
export async function measureSizes(name: string, v1: Record<string, Uint8Array>, counts: readonly number[], log: (line: string) => void): Promise<SizeReport> {
  const report: SizeReport = { memory: [], sizes: [], parts: [], listEncodings: [], neighbourCounts: [] };
  const model = await parseArtifact(JSON.parse(new TextDecoder().decode(v1['model.json'])) as unknown, v1);
  const items = model.meta.shape.items;
  const m = model.neighbours?.m ?? 0;
  try {
    report.sizes.push(sizeRow(`${name} v1 weights`, items, [v1['weights.bin']!]));
    const { files } = await v2FromV1(v1);
    const weights = Object.keys(files).filter((f) => f.startsWith('weights-')).map((f) => files[f]!);
    const catalog = Object.keys(files).filter((f) => f.startsWith('catalog-')).map((f) => files[f]!);
    report.sizes.push(sizeRow(`${name} v2 weights`, items, weights));
    report.sizes.push(sizeRow(`${name} v1 total`, items, Object.values(v1)));
    report.sizes.push(sizeRow(`${name} v2 total`, items, [files['model.json']!, ...weights, ...catalog]));
    log(`${name}: v2 weights ${report.sizes[1]!.bytes_per_item_gzip.toFixed(1)} B/item gzip (v1 ${report.sizes[0]!.bytes_per_item_gzip.toFixed(1)})`);
    report.memory.push(await memoryRow(name, files, report.sizes[3]!.bytes));
    // Each part of the table on its own (gzip of the part alone: what it adds to a shard, roughly).
    const dim = model.meta.shape.dim;
    const [vectors, context, bias] = [await model.items.vectors.data(), await model.items.context.data(), await model.items.bias.data()] as Float32Array[];
    const part = (label: string, a: ArrayBufferView): void => {
      report.parts.push({ model: name, part: label, bytes_per_item: a.byteLength / items, gzip_bytes_per_item: gz(bytesOf(a)) / items });
    };
    const V = quantizeRows(vectors!, items, dim);
    const C = quantizeRows(context!, items, dim, DEFAULT_CONTEXT_CODES);
    part('V int8 codes (shipped)', V.codes);
    part('V float32 row scales', V.scales);
    part(`C int8 codes within ±${DEFAULT_CONTEXT_CODES} (shipped)`, C.codes);
    part('C float32 row scales', C.scales);
    part('V float32 (v1 precision)', vectors!);
    for (const [label, values, codes] of [['V', vectors!, 63], ['C', context!, 127], ['C', context!, 31], ['C', context!, 7]] as const) {
      part(`${label} int8 codes within ±${codes}`, quantizeRows(values, items, dim, codes).codes);
    }
    for (const dtype of SCALAR_DTYPES) part(`b ${dtype}${dtype === DEFAULT_BIAS_DTYPE ? ' (shipped)' : ''}`, biasBytes(bias!, dtype));
    part('catalog JSON shards', concat(catalog));
    if (model.neighbours && m > 0) {
      for (const count of counts.map((c) => c || m).filter((c, i, all) => c <= m && all.indexOf(c) === i)) {
        const rows = listEncodings(model.neighbours, items, count).map((r) => ({ model: name, ...r }));
        report.listEncodings.push(...rows);
        const shipped = rows.find((r) => r.encoding.endsWith('(shipped)'))!;
        const { files: counted } = await v2FromV1(v1, { neighbourCount: count });
        const shards = Object.keys(counted).filter((f) => f.startsWith('weights-')).map((f) => counted[f]!);
        report.neighbourCounts.push({ model: name, neighbours: count, entries_per_item: shipped.entries_per_item, weights_gzip_bytes_per_item: shards.reduce((a, s) => a + gz(s), 0) / items });
        log(`${name}: ${count} neighbours, ${shipped.entries_per_item.toFixed(1)} entries/item, lists ${shipped.gzip_bytes_per_item.toFixed(1)} B/item gzip`);
      }
    }
  } finally {
    model.dispose();
  }
  return report;
}

/** What the decoded model holds in memory once scored by the int8 kernel (which copies V and b into its own memory). */
async function memoryRow(name: string, files: Record<string, Uint8Array>, served: number): Promise<MemoryRow> {
  const decoded = await decodeModelV2(JSON.parse(new TextDecoder().decode(files['model.json'])) as unknown, files);
  const model = quantizedAdaptModel(decoded.model);
  model.dispose(); // only the table is measured here
  const items = model.items.vectors.n;
  const memory = model.items.kernel.rows.codes.buffer.byteLength; // the whole kernel memory: table, prior, score and weight buffers
  const { context } = decoded.model.items;
  const lists = Object.values(decoded.lists).reduce((a, l) => a + l.counts.byteLength + l.ids.byteLength + l.weights.byteLength + l.index.byteLength, 0);
  const [k, c, l] = [memory / items, (context.codes.byteLength + context.scales.byteLength) / items, lists / items];
  return { model: name, items, kernel_bytes_per_item: k, context_bytes_per_item: c, lists_bytes_per_item: l, total_bytes_per_item: k + c + l, served_bytes_per_item: served / items };
}

/** The prior's bytes in `dtype`, exactly as the encoder writes them. */
function biasBytes(bias: Float32Array, dtype: ScalarDtype): Uint8Array {
  const stream = new StreamWriter();
  writeScalars(stream, bias, dtype);
  return concat(stream.shards(Number.MAX_SAFE_INTEGER));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
