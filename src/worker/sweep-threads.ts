/**
 * The helper threads of the int8 sweep (core/int8-threads.ts) as Web Workers
 * started by the engine's worker: each instantiates the sweep module over the
 * table's shared WebAssembly memory and then waits, blocked in Atomics.wait
 * on a small control block, for its part of the next sweep. A sweep costs two
 * Atomics round trips per helper, not a message.
 *
 * They exist only where a shared memory can: a cross-origin-isolated page
 * (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: credentialless` or `require-corp`), a
 * machine with more than one core. Anywhere else there are none and the
 * caller sweeps alone; a helper that fails to start is never waited for.
 */

import type { SweepHelper, SweepHelpers } from '../core/int8-threads';

/** Helpers at most (beside the engine's own thread): the sweep is memory-bound past a few cores. */
const MAX_HELPERS = 3;

/** The control block: i32 words (0 the sweep asked for, 1 the sweep done, 2 ready), then sweep()'s arguments as f64 from byte 16. */
const WORD = { asked: 0, done: 1, ready: 2 } as const;
const ARGS_AT = 16;
const ARGS = 15;

/**
 * The helper's program, run from a blob: URL (nothing is bundled with it, so
 * it is plain JavaScript here rather than a function whose transpiled text
 * might name the bundle's helpers): on its one message, instantiate; then
 * sweep each part asked for until asked for a negative one.
 */
export const HELPER_SOURCE = `
self.onmessage = (event) => {
  const { module, memory, control } = event.data;
  const { sweep } = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const words = new Int32Array(control, 0, 4);
  const args = new Float64Array(control, ${ARGS_AT}, ${ARGS});
  Atomics.store(words, ${WORD.ready}, 1);
  let seen = 0;
  for (;;) {
    Atomics.wait(words, ${WORD.asked}, seen);
    seen = Atomics.load(words, ${WORD.asked});
    if (seen < 0) break;
    sweep(...args);
    Atomics.store(words, ${WORD.done}, seen);
    Atomics.notify(words, ${WORD.done});
  }
  close();
};
`;

/** How many helpers this context can run: none unless it is cross-origin isolated and has more than one core. */
export function availableSweepHelpers(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return isolated && typeof Worker !== 'undefined' ? Math.max(0, Math.min(cores - 1, MAX_HELPERS)) : 0;
}

/** A thread running a program's source: what the helpers need of a Web Worker. */
export interface HelperThread {
  postMessage(message: unknown): void;
  terminate(): void;
}

/** Starts `source` in a thread; `failed` is called if it cannot load or throws. */
export type SpawnThread = (source: string, failed: () => void) => HelperThread;

/** A classic Web Worker from a blob: URL (a CSP that refuses blob: workers throws here or fails it). */
const blobWorker: SpawnThread = (source, failed) => {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    const worker = new Worker(url);
    worker.onerror = failed;
    return worker;
  } finally {
    URL.revokeObjectURL(url); // the worker's script was resolved when it was constructed
  }
};

/**
 * Helpers for the int8 sweep: `count` of them (default: what
 * availableSweepHelpers() allows), each HELPER_SOURCE in a thread `spawn`
 * starts (default: a Web Worker; Node's tests start worker_threads).
 */
export function sweepThreads(count: number = availableSweepHelpers(), spawn: SpawnThread = blobWorker): SweepHelpers {
  return { count, start: (module, memory) => Array.from({ length: count }, () => startHelper(module, memory, spawn)) };
}

function startHelper(module: WebAssembly.Module, memory: WebAssembly.Memory, spawn: SpawnThread): SweepHelper {
  const control = new SharedArrayBuffer(ARGS_AT + 8 * ARGS);
  const words = new Int32Array(control, 0, 4);
  const args = new Float64Array(control, ARGS_AT, ARGS);
  let worker: HelperThread | null = null;
  let stopped = false;
  let asked = 0;
  try {
    // A helper that cannot load or throws is stopped: never asked, never waited for.
    worker = spawn(HELPER_SOURCE, () => helper.stop());
    worker.postMessage({ module, memory, control });
  } catch {
    stopped = true;
  }
  const helper: SweepHelper = {
    get ready() {
      return !stopped && Atomics.load(words, WORD.ready) === 1;
    },
    begin(values) {
      args.set(values);
      Atomics.store(words, WORD.asked, ++asked);
      Atomics.notify(words, WORD.asked);
    },
    finish(timeoutMs) {
      const t0 = performance.now();
      for (;;) {
        const done = Atomics.load(words, WORD.done);
        if (done === asked) return true;
        const left = timeoutMs - (performance.now() - t0);
        if (left <= 0) return false;
        Atomics.wait(words, WORD.done, done, left);
      }
    },
    stop() {
      stopped = true;
      Atomics.store(words, WORD.asked, -1);
      Atomics.notify(words, WORD.asked);
      worker?.terminate();
      worker = null;
    },
  };
  return helper;
}
