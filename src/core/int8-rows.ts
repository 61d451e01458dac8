/**
 * A table of vectors kept as 8-bit codes with one float scale per row: value
 * `codes[i·dim + d] · scales[i]`, codes in [-127, 127] (symmetric: -128 is
 * never written, so negating a row is exact). Four times smaller than float32
 * and what format v2 ships, what the int8 kernels score and what the WGSL
 * kernel reads (rows of `dim` codes, `dim` a multiple of 4). Pure, no tfjs.
 */
export interface Int8Rows {
  readonly n: number;
  /** Codes per row; a multiple of 4 (format v2 pads with zero columns). */
  readonly dim: number;
  /** [n × dim] row-major. */
  readonly codes: Int8Array;
  /** [n]: the value of code 1 in each row (0 for an all-zero row). */
  readonly scales: Float32Array;
}

/** Largest code magnitude: symmetric around 0. */
export const INT8_MAX = 127;

/** The dimension a table of `dim` columns is stored with: the next multiple of 4. */
export function paddedDim(dim: number): number {
  return Math.ceil(dim / 4) * 4;
}

/**
 * Quantizes [n × dim] float rows (row-major) to codes with a per-row scale
 * `max|row| / maxCode` and round-to-nearest: the error of each value is at most
 * half a step, `max|row| / (2·maxCode)`. Columns beyond `dim` (up to
 * `paddedDim`) are 0. A smaller `maxCode` keeps the int8 layout but uses fewer
 * levels, which compresses better (gzip) at a precision cost.
 */
export function quantizeRows(values: Float32Array, n: number, dim: number, maxCode = INT8_MAX): Int8Rows {
  if (values.length !== n * dim) throw new Error(`quantizeRows: ${values.length} values, expected ${n} rows × ${dim} = ${n * dim}.`);
  if (!Number.isInteger(maxCode) || maxCode < 1 || maxCode > INT8_MAX) throw new Error(`quantizeRows: maxCode ${maxCode} must be a whole number from 1 to ${INT8_MAX}.`);
  const stride = paddedDim(dim);
  const codes = new Int8Array(n * stride);
  const scales = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let max = 0;
    for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(values[i * dim + d]!));
    if (!Number.isFinite(max)) throw new Error(`quantizeRows: row ${i} has a non-finite value; retrain the model.`);
    if (max === 0) continue;
    const scale = Math.fround(max / maxCode);
    scales[i] = scale;
    for (let d = 0; d < dim; d++) {
      codes[i * stride + d] = Math.max(-maxCode, Math.min(maxCode, Math.round(values[i * dim + d]! / scale)));
    }
  }
  return { n, dim: stride, codes, scales };
}

/** Row `i` as floats, written into `out` (length ≥ dim). */
export function dequantizeRow(rows: Int8Rows, i: number, out: Float32Array): Float32Array {
  const { dim, codes, scales } = rows;
  const scale = scales[i]!;
  for (let d = 0; d < dim; d++) out[d] = codes[i * dim + d]! * scale;
  return out;
}

/** `out += weight · row_i` (float64 accumulators: the gradient sums of a click). */
export function addRow(rows: Int8Rows, i: number, weight: number, out: Float64Array | Float32Array): void {
  const { dim, codes } = rows;
  const w = weight * rows.scales[i]!;
  for (let d = 0; d < dim; d++) out[d]! += w * codes[i * dim + d]!;
}

/** The whole table as floats ([n × dim]): for tests and converters, never the runtime (it scores the codes). */
export function dequantizeAll(rows: Int8Rows): Float32Array {
  const out = new Float32Array(rows.n * rows.dim);
  for (let i = 0; i < rows.n; i++) dequantizeRow(rows, i, out.subarray(i * rows.dim, (i + 1) * rows.dim));
  return out;
}
