import { describe, expect, it } from 'vitest';
import { simdTable } from '../../../src/core/simd-kernel';
import { wasmKernelBytes } from '../../../src/core/wasm-memory';

describe('wasmKernelBytes', () => {
  it('counts the WebAssembly memory a host kernel allocates for its table, while the kernel lives', () => {
    const [n, dim] = [20_000, 8];
    const before = wasmKernelBytes();
    const table = simdTable(n, dim, new Float32Array(n * dim), new Float32Array(n));
    const grown = wasmKernelBytes() - before;
    expect(table).not.toBeNull(); // alive until here
    // The vectors alone are n × dim float32; the memory is whole 64 KiB pages.
    expect(grown).toBeGreaterThanOrEqual(4 * n * dim);
    expect(grown % 65536).toBe(0);
    expect(grown).toBeLessThan(4 * n * (dim + 3) + 2 * 65536);
  });
});
