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
 * Rows of int8 codes with one float32 scale per row, exactly as format v2
 * ships them (docs/FORMAT.md `int8-rows`; the same fields as core's
 * Int8Rows): value = codes[i·dim + d] × scales[i], codes in [-127, 127],
 * row-major, `dim` a multiple of 4 (a model's rows are padded with zero codes).
 * The GPU takes the codes' bytes as they are: four consecutive codes are one
 * little-endian u32, so dimension `4q + b` of row `i` is byte `b` of word
 * `i·dim/4 + q`. Nothing is re-quantized or repacked.
 */
export interface Int8Rows {
  readonly n: number;
  readonly dim: number;
  /** [n × dim] codes, row-major. */
  readonly codes: Int8Array;
  /** [n] the value of code 1 in each row (format v2 writes 0 for an all-zero row). */
  readonly scales: Float32Array;
}

/**
 * An int8 item table (format v2): item vectors and context vectors as int8
 * rows, the popularity prior as float32 (format v2's `bias` section, decoded).
 */
export interface QuantizedTable {
  readonly format: 'int8';
  readonly n: number;
  readonly dim: number;
  /** Item vectors V (scored against the user vector). */
  readonly vectors: Int8Rows;
  /** [n] popularity prior. */
  readonly bias: Float32Array;
  /** Context vectors C (the prototype start); absent for ranking-only tables. */
  readonly context?: Int8Rows;
}

export type GpuItemTable = FloatTable | QuantizedTable;

/** Largest code magnitude: symmetric, so -128 is never used. */
const CODE_MAX = 127;

/**
 * Symmetric int8 quantization of [n × dim] rows, as format v2's encoder does:
 * scale = max |row| / maxCode (0 for an all-zero row), round to nearest.
 * Tests and tools only: a v2 artifact ships the codes.
 */
export function quantizeRows(values: Float32Array, n: number, dim: number, maxCode = CODE_MAX): Int8Rows {
  if (values.length !== n * dim) throw new Error(`Expected ${n} × ${dim} = ${n * dim} values to quantize, got ${values.length}.`);
  const codes = new Int8Array(n * dim);
  const scales = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let max = 0;
    for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(values[i * dim + d]!));
    if (max === 0) continue;
    const scale = Math.fround(max / maxCode);
    scales[i] = scale;
    for (let d = 0; d < dim; d++) codes[i * dim + d] = Math.max(-maxCode, Math.min(maxCode, Math.round(values[i * dim + d]! / scale)));
  }
  return { n, dim, codes, scales };
}

/** Row values of int8 rows: code × scale, as float32 (what a host kernel compares against). */
export function dequantizeRows(rows: Int8Rows): Float32Array {
  const { dim, codes, scales } = rows;
  return Float32Array.from(codes, (code, j) => code * scales[Math.floor(j / dim)]!);
}

/** The int8 version of a float table (tests and tools; format v2 ships it ready-made). */
export function quantizeTable(table: FloatTable): QuantizedTable {
  const { n, dim } = table;
  return {
    format: 'int8',
    n,
    dim,
    vectors: quantizeRows(table.vectors, n, dim),
    bias: table.bias,
    ...(table.context ? { context: quantizeRows(table.context, n, dim) } : {}),
  };
}

/** The float table an int8 table stands for (value = code × scale). */
export function dequantizeTable(table: QuantizedTable): FloatTable {
  const { n, dim } = table;
  return {
    format: 'float32',
    n,
    dim,
    vectors: dequantizeRows(table.vectors),
    bias: table.bias,
    ...(table.context ? { context: dequantizeRows(table.context) } : {}),
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
  if (dim % 4 !== 0) throw new Error(`An int8 table needs a dim that is a multiple of 4 (4 codes per u32; format v2 pads rows with zero codes), got ${dim}.`);
  const rows = (name: string, r: Int8Rows | undefined) => {
    if (!r) return;
    if (r.n !== n || r.dim !== dim) throw new Error(`Item table "${name}" is ${r.n} × ${r.dim} int8 rows, expected ${n} × ${dim}.`);
    expect(`${name}.codes`, r.codes.length, n * dim);
    expect(`${name}.scales`, r.scales.length, n);
  };
  rows('vectors', table.vectors);
  rows('context', table.context);
}

/** True when the table can start a visitor from their clicks' context vectors. */
export function hasContext(table: GpuItemTable): boolean {
  return table.context !== undefined;
}
