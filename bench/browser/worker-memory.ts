// The recommender worker's memory, part by part, as issue 13's "memory ≤ 1.5 ×
// the artifact's bytes" needs it: V8's heap usage (what DevTools reads) holds
// only JS objects; typed arrays' bytes sit in ArrayBuffer backing stores, the
// host kernels' item tables and the tfjs wasm backend's tensors in
// WebAssembly memories, the WGSL table and tfjs GPU tensors on the GPU.
import type { Page } from 'playwright-core';
import type { WorkerMemory, GpuCounts } from '../../src/worker/messages';
import type { WorkerHeap } from '../../tests/browser/support/worker-heap';
import { percentile } from '../stats';

export interface WorkerMemoryParts {
  /** V8 heap objects after a GC (Runtime.getHeapUsage usedSize). */
  readonly js_heap_bytes: number;
  /** ArrayBuffer backing stores after the same GC (backingStorageSize): decoded lists, catalog arrays, cpu-backend tensors. */
  readonly array_buffer_bytes: number;
  /** WebAssembly.Memory of the host kernels (int8 / float32 SIMD item tables). */
  readonly wasm_kernel_bytes: number;
  /** The tfjs wasm backend's WebAssembly heap (0 when never initialized). */
  readonly wasm_backend_bytes: number;
  /** GPU buffers of the WGSL kernel (the resident table and its workspace). */
  readonly wgsl_gpu_bytes: number;
  /** GPU memory tfjs's webgpu / webgl backends allocated for tensors. */
  readonly tfjs_gpu_bytes: number;
  /** The sum of the parts above. */
  readonly total_bytes: number;
}

type Debug = { memory: WorkerMemory; gpu: GpuCounts | null; sweepThreads: number };

/** Threads the worker's host sweeps run on (the cold-start page's recDebug). */
export async function sweepThreads(page: Page): Promise<number> {
  return (await page.evaluate(() => (window as unknown as { recDebug(): Promise<Debug> }).recDebug())).sweepThreads;
}

/** Every part after a GC of the worker (the page must be the cold-start page, which exposes recDebug). */
export async function workerMemory(heap: WorkerHeap, page: Page): Promise<WorkerMemoryParts> {
  const { usedBytes, arrayBufferBytes } = await heap.usage();
  const debug = await page.evaluate(() => (window as unknown as { recDebug(): Promise<Debug> }).recDebug());
  const parts = {
    js_heap_bytes: usedBytes,
    array_buffer_bytes: arrayBufferBytes,
    wasm_kernel_bytes: debug.memory.wasmKernelBytes,
    wasm_backend_bytes: debug.memory.wasmBackendBytes,
    wgsl_gpu_bytes: debug.gpu?.bytes ?? 0,
    tfjs_gpu_bytes: debug.memory.tfjsGpuBytes,
  };
  return { ...parts, total_bytes: Object.values(parts).reduce((a, b) => a + b, 0) };
}

/** The median of each part over runs (the total too: the median run's parts need not add up to it). */
export function medianParts(runs: readonly WorkerMemoryParts[]): WorkerMemoryParts {
  const keys = Object.keys(runs[0]!) as (keyof WorkerMemoryParts)[];
  return Object.fromEntries(keys.map((k) => [k, percentile(runs.map((r) => r[k]), 0.5)])) as unknown as WorkerMemoryParts;
}
