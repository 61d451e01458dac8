import type { GpuProbe } from './gpu-probe';

/** Runs probeGpu() inside a dedicated module worker. */
export function probeGpuInWorker(): Promise<GpuProbe> {
  const worker = new Worker(new URL('./gpu-probe.worker.ts', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ ok: boolean; result?: GpuProbe; message?: string }>) => {
      worker.terminate();
      if (event.data.ok && event.data.result) resolve(event.data.result);
      else reject(new Error(event.data.message ?? 'worker failed'));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`worker error: ${event.message}`));
    };
  });
}
