/**
 * An item table uploaded once and kept on the GPU: item vectors, per-item
 * (bias, scale), context vectors and their scales, in the layout the shaders
 * assume (wgsl/common.ts bindings 0–3). Float32 rows not a multiple of 4 wide
 * are zero-padded to whole vec4s.
 */

import type { GpuContext } from './device';
import { checkTable, hasContext, type GpuItemTable } from './table';

/** The GPU copy of one item table. */
export interface ResidentTable {
  readonly format: GpuItemTable['format'];
  readonly n: number;
  readonly dim: number;
  /** vec4s (float32) or u32 words (int8) per row. */
  readonly d4: number;
  readonly hasContext: boolean;
  readonly vectors: GPUBuffer;
  readonly rowmeta: GPUBuffer;
  readonly context: GPUBuffer;
  readonly contextScales: GPUBuffer;
  /** Bytes on the GPU. */
  readonly bytes: number;
  destroy(): void;
}

/** Ids travel as float values in the read-back (exact below 2^24). */
const MAX_ITEMS = 2 ** 24;

/** Uploads `table` (once per model); throws when it does not fit this device's limits. */
export function uploadTable(gpu: GpuContext, table: GpuItemTable): ResidentTable {
  checkTable(table);
  const { n, dim } = table;
  if (n > MAX_ITEMS) throw new Error(`The GPU kernel ranks at most ${MAX_ITEMS.toLocaleString('en-US')} items, got ${n.toLocaleString('en-US')}.`);
  const d4 = Math.ceil(dim / 4);
  const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
  const rowBytes = table.format === 'float32' ? 16 * d4 : 4 * d4;
  if (n * rowBytes > limit) {
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
    throw new Error(
      `The ${table.format} item table (${n.toLocaleString('en-US')} × ${dim}) takes ${mb(n * rowBytes)}, over this device's ${mb(limit)} storage-buffer limit: use an int8 table or a device with larger limits.`,
    );
  }
  const made: GPUBuffer[] = [];
  // Bytes as they are: int8 codes, four to a little-endian u32, are what the shaders read (table.ts).
  const upload = (data: Int8Array | Float32Array, label: string): GPUBuffer => {
    const buffer = gpu.ledger.create({ label, size: Math.max(16, Math.ceil(data.byteLength / 4) * 4), usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buffer.unmap();
    made.push(buffer);
    return buffer;
  };
  const rowmeta = new Float32Array(2 * n);
  const scales = table.format === 'int8' ? table.vectors.scales : null;
  for (let i = 0; i < n; i++) {
    rowmeta[2 * i] = table.bias[i]!;
    rowmeta[2 * i + 1] = scales ? scales[i]! : 1;
  }
  const placeholder = new Float32Array(4);
  let buffers: Pick<ResidentTable, 'vectors' | 'context' | 'contextScales'>;
  if (table.format === 'float32') {
    buffers = {
      vectors: upload(padRows(table.vectors, n, dim), 'localrec item vectors'),
      context: upload(table.context ? padRows(table.context, n, dim) : placeholder, 'localrec context vectors'),
      contextScales: upload(placeholder, 'localrec context scales (unused)'),
    };
  } else {
    buffers = {
      vectors: upload(table.vectors.codes, 'localrec item codes'),
      context: upload(table.context?.codes ?? placeholder, 'localrec context codes'),
      contextScales: upload(table.context?.scales ?? placeholder, 'localrec context scales'),
    };
  }
  const meta = upload(rowmeta, 'localrec item bias and scale');
  const bytes = made.reduce((sum, b) => sum + b.size, 0);
  return {
    format: table.format,
    n,
    dim,
    d4,
    hasContext: hasContext(table),
    rowmeta: meta,
    ...buffers,
    bytes,
    destroy: () => made.forEach((b) => gpu.ledger.destroy(b)),
  };
}

/** Rows of `dim` floats zero-padded to whole vec4s (a view of the input when dim is a multiple of 4). */
function padRows(values: Float32Array, n: number, dim: number): Float32Array {
  if (dim % 4 === 0) return values;
  const width = 4 * Math.ceil(dim / 4);
  const out = new Float32Array(n * width);
  for (let i = 0; i < n; i++) out.set(values.subarray(i * dim, (i + 1) * dim), i * width);
  return out;
}
