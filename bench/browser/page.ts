// Loaded into the blank test page: starts the benchmark worker and forwards
// requests to it (window.benchCall), so the Node side can drive it.
import type { BenchRequests } from './worker';

export type BenchCall = <K extends keyof BenchRequests>(type: K, params: BenchRequests[K]['params']) => Promise<BenchRequests[K]['result']>;

declare global {
  interface Window {
    benchCall: BenchCall;
  }
}

/** Starts the worker; afterwards window.benchCall reaches it. */
export function start(): void {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  worker.onmessage = (event: MessageEvent<{ id: number; ok: boolean; result?: unknown; message?: string }>) => {
    const { id, ok, result, message } = event.data;
    const call = pending.get(id);
    pending.delete(id);
    if (ok) call?.resolve(result);
    else call?.reject(new Error(message));
  };
  worker.onerror = (event) => {
    for (const call of pending.values()) call.reject(new Error(`benchmark worker failed: ${event.message}`));
    pending.clear();
  };
  window.benchCall = ((type, params) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, type, params });
    })) as BenchCall;
}
