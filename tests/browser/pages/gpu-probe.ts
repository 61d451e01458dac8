// Imported by the smoke test in the page and in a dedicated worker: checks that
// this Chromium exposes a WebGPU adapter and that tfjs can run on it.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';

export interface GpuProbe {
  adapter: boolean;
  backend: string;
  setBackend: boolean;
  sum: number;
}

export async function probeGpu(): Promise<GpuProbe> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = gpu ? (await gpu.requestAdapter()) !== null : false;
  const setBackend = await tf.setBackend('webgpu');
  await tf.ready();
  const t = tf.tensor1d([1, 2, 3]).sum();
  const sum = (await t.data())[0] ?? NaN;
  t.dispose();
  return { adapter, backend: tf.getBackend(), setBackend, sum };
}
