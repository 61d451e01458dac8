import * as tf from '@tensorflow/tfjs-core';
// Only core and the four backends: the full @tensorflow/tfjs bundle would add
// layers, converter and data, none of which the engine uses.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from './names';
import { configureWasmPaths } from './wasm';

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/**
 * Why a backend cannot run here, or null when nothing rules it out. tfjs's
 * setBackend only answers false, so these checks supply the reason.
 */
async function diagnose(name: BackendName): Promise<string | null> {
  if (name === 'webgpu') {
    const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
    if (!gpu) return 'no WebGPU in this browser (navigator.gpu is undefined; Chromium needs --enable-unsafe-webgpu on Linux)';
    if ((await gpu.requestAdapter()) === null) return 'no WebGPU adapter (navigator.gpu.requestAdapter() returned null)';
  }
  if (name === 'webgl') {
    if (typeof OffscreenCanvas === 'undefined' && typeof document === 'undefined') {
      return 'no OffscreenCanvas in this worker, so no WebGL context';
    }
  }
  return null;
}

/**
 * Makes `name` the active tfjs backend, or throws an Error naming the backend
 * and why it is unavailable.
 */
export async function activate(name: BackendName): Promise<void> {
  if (name === 'wasm') configureWasmPaths();
  const problem = await diagnose(name);
  if (problem) throw new Error(`Backend "${name}" is not available: ${problem}.`);
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    throw new Error(`Backend "${name}" is not available: ${(error as Error).message}.`);
  }
  if (!ok) throw new Error(`Backend "${name}" is not available: tfjs could not initialise it (see the console).`);
  await tf.ready();
}

/** The active tfjs backend's name. */
export function activeBackend(): string {
  return tf.getBackend();
}

interface WebGpuBackendLike {
  device?: { lost?: Promise<{ message?: string; reason?: string }> };
}

/**
 * Calls `onLost` once if the active WebGPU device is lost (driver reset, GPU
 * process crash); does nothing on other backends. Returns a function that stops
 * watching.
 */
export function watchDeviceLost(onLost: (message: string) => void): () => void {
  if (tf.getBackend() !== 'webgpu') return () => {};
  const lost = (tf.backend() as unknown as WebGpuBackendLike).device?.lost;
  if (!lost) return () => {};
  let active = true;
  void lost.then((info) => {
    if (active) onLost(info?.message || info?.reason || 'WebGPU device lost');
  });
  return () => {
    active = false;
  };
}

/** The GPUDevice tfjs's webgpu backend runs on, when that backend is active; else null (src/gpu shares it). */
export function webgpuBackendDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GPUDevice }).device ?? null;
}

/** Destroys the active WebGPU device, as a driver reset would (tests and the debug panel). */
export function loseDeviceForTesting(): void {
  const device = (tf.backend() as unknown as { device?: { destroy?: () => void } }).device;
  if (tf.getBackend() !== 'webgpu' || !device?.destroy) {
    throw new Error(`loseDevice needs the "webgpu" backend, but "${tf.getBackend()}" is active.`);
  }
  device.destroy();
}

/** Live tensors in the tfjs engine (all backends). */
export function tensorCount(): number {
  return tf.memory().numTensors;
}

/** Memory tfjs's initialized backends hold outside the JS heap, bytes. */
export interface BackendMemory {
  /** The wasm backend's WebAssembly heap (its tensors and scratch), 0 when it was never initialized. */
  readonly wasmBytes: number;
  /** GPU memory the webgpu and webgl backends have allocated for tensors (pooled buffers included). */
  readonly gpuBytes: number;
}

/**
 * What the backends initialized so far hold (a backend `auto` tried and left
 * keeps its memory): read from tfjs's registry of initialized backends, since
 * tf.findBackend would initialize one that is not.
 */
export function backendMemory(): BackendMemory {
  const registry = tf.engine().registry as Record<string, unknown>;
  const wasm = registry['wasm'] as { wasm?: { HEAPU8?: Uint8Array } } | undefined;
  const webgpu = registry['webgpu'] as { memory?(): { numBytesAllocatedInGPU?: number } } | undefined;
  const webgl = registry['webgl'] as { memory?(): { numBytesInGPUAllocated?: number } } | undefined;
  return {
    wasmBytes: wasm?.wasm?.HEAPU8?.buffer.byteLength ?? 0,
    gpuBytes: (webgpu?.memory?.().numBytesAllocatedInGPU ?? 0) + (webgl?.memory?.().numBytesInGPUAllocated ?? 0),
  };
}
