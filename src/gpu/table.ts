/**
 * Item tables as the GPU kernel takes them, in host memory: float32 (today's
 * artifacts) or int8 (format v2). Pure: no GPU, no tfjs; Node tests use it.
 */

/** A float32 item table: rows of `dim` values, row-major. */
export interface FloatTable {
  readonly format: 'float32';
  /** Items. */
  readonly n: number;
  readonly dim: number;
  /** [n × dim] item vectors. */
  readonly vectors: Float32Array;
  /** [n] popularity prior. */
  readonly bias: Float32Array;
  /** [n × dim] context vectors (the prototype start); absent for ranking-only tables. */
  readonly context?: Float32Array;
}

/**
 * An int8 item table (format v2): every row of `dim` values is stored as `dim`
 * symmetric int8 codes and one float32 scale, value = code × scale, codes in
 * [-127, 127]. Four codes pack into one u32, little-endian: dimension `4q + b`
 * of row `i` is byte `b` (bits 8b…8b+7, two's complement) of word `i·dim/4 + q`.
 * `dim` is a multiple of 4. The popularity prior stays float32.
 */
export interface QuantizedTable {
  readonly format: 'int8';
  readonly n: number;
  readonly dim: number;
  /** [n × dim/4] packed codes of the item vectors. */
  readonly vectorCodes: Uint32Array;
  /** [n] scale of each item vector's codes. */
  readonly vectorScales: Float32Array;
  /** [n] popularity prior. */
  readonly bias: Float32Array;
  /** [n × dim/4] packed codes of the context vectors; absent for ranking-only tables. */
  readonly contextCodes?: Uint32Array;
  /** [n] scale of each context vector's codes. */
  readonly contextScales?: Float32Array;
}

export type GpuItemTable = FloatTable | QuantizedTable;

/** Largest code magnitude: symmetric, so -128 is never used. */
const CODE_MAX = 127;

/** Packs int8 codes (rows of `dim`, a multiple of 4) four to a u32, byte b = dimension 4q + b. */
export function packCodes(codes: Int8Array, dim: number): Uint32Array {
  if (dim % 4 !== 0) throw new Error(`int8 rows need a dim that is a multiple of 4, got ${dim}: pad the rows with zeros.`);
  const bytes = new Uint8Array(codes.buffer, codes.byteOffset, codes.length);
  const out = new Uint32Array(codes.length / 4);
  for (let w = 0; w < out.length; w++) {
    out[w] = (bytes[4 * w]! | (bytes[4 * w + 1]! << 8) | (bytes[4 * w + 2]! << 16) | (bytes[4 * w + 3]! << 24)) >>> 0;
  }
  return out;
}

/** The int8 codes of packed words (inverse of packCodes). */
export function unpackCodes(words: Uint32Array): Int8Array {
  const out = new Int8Array(words.length * 4);
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    for (let b = 0; b < 4; b++) out[4 * w + b] = (word << (24 - 8 * b)) >> 24;
  }
  return out;
}

/** Symmetric int8 quantization of rows: scale = max |value| / 127 per row (1 for an all-zero row). */
export function quantizeRows(values: Float32Array, n: number, dim: number): { codes: Uint32Array; scales: Float32Array } {
  if (values.length !== n * dim) throw new Error(`Expected ${n} × ${dim} = ${n * dim} values to quantize, got ${values.length}.`);
  const codes = new Int8Array(n * dim);
  const scales = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let max = 0;
    for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(values[i * dim + d]!));
    const scale = max > 0 ? Math.fround(max / CODE_MAX) : 1;
    scales[i] = scale;
    for (let d = 0; d < dim; d++) codes[i * dim + d] = Math.max(-CODE_MAX, Math.min(CODE_MAX, Math.round(values[i * dim + d]! / scale)));
  }
  return { codes: packCodes(codes, dim), scales };
}

/** Row values of packed codes: code × scale, as float32 (what a host kernel compares against). */
export function dequantizeRows(words: Uint32Array, scales: Float32Array, dim: number): Float32Array {
  const codes = unpackCodes(words);
  return Float32Array.from(codes, (code, j) => code * scales[Math.floor(j / dim)]!);
}

/** The int8 version of a float table (tests and tools; format v2 ships it ready-made). */
export function quantizeTable(table: FloatTable): QuantizedTable {
  const { n, dim } = table;
  const vectors = quantizeRows(table.vectors, n, dim);
  const context = table.context ? quantizeRows(table.context, n, dim) : null;
  return {
    format: 'int8',
    n,
    dim,
    vectorCodes: vectors.codes,
    vectorScales: vectors.scales,
    bias: table.bias,
    ...(context ? { contextCodes: context.codes, contextScales: context.scales } : {}),
  };
}

/** The float table an int8 table stands for (value = code × scale). */
export function dequantizeTable(table: QuantizedTable): FloatTable {
  const { n, dim } = table;
  const context = table.contextCodes && table.contextScales ? dequantizeRows(table.contextCodes, table.contextScales, dim) : null;
  return {
    format: 'float32',
    n,
    dim,
    vectors: dequantizeRows(table.vectorCodes, table.vectorScales, dim),
    bias: table.bias,
    ...(context ? { context } : {}),
  };
}

/** Throws an Error naming the first array whose length does not fit `n` and `dim`. */
export function checkTable(table: GpuItemTable): void {
  const { n, dim } = table;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(dim) || dim < 1) {
    throw new Error(`An item table needs at least 1 item and dimension 1, got n = ${n}, dim = ${dim}.`);
  }
  const expect = (name: string, got: number | undefined, want: number) => {
    if (got !== undefined && got !== want) throw new Error(`Item table "${name}" has ${got} values, expected ${want} for ${n} items of dimension ${dim}.`);
  };
  expect('bias', table.bias.length, n);
  if (table.format === 'float32') {
    expect('vectors', table.vectors.length, n * dim);
    expect('context', table.context?.length, n * dim);
    return;
  }
  if (dim % 4 !== 0) throw new Error(`An int8 table needs a dim that is a multiple of 4 (4 codes per u32), got ${dim}.`);
  expect('vectorCodes', table.vectorCodes.length, (n * dim) / 4);
  expect('vectorScales', table.vectorScales.length, n);
  expect('contextCodes', table.contextCodes?.length, (n * dim) / 4);
  expect('contextScales', table.contextScales?.length, n);
  if ((table.contextCodes === undefined) !== (table.contextScales === undefined)) {
    throw new Error('An int8 table has context codes without scales or scales without codes: give both or neither.');
  }
}

/** True when the table can start a visitor from their clicks' context vectors. */
export function hasContext(table: GpuItemTable): boolean {
  return table.format === 'float32' ? table.context !== undefined : table.contextCodes !== undefined;
}
