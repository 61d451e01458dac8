import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { env } from '@tensorflow/tfjs-core';
// Vite turns these into URLs of the emitted binaries, so the wasm backend
// finds them from whatever origin or path the library is served.
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

let configured = false;

/**
 * Points the tfjs wasm backend at its binaries (once; idempotent), and keeps
 * it single-threaded: on a cross-origin-isolated page it would otherwise pick
 * its threaded build, whose Emscripten pthread workers load the main script
 * with importScripts, which a module worker (ours) cannot be: the worker dies
 * at the first operation. The int8 kernel has threads of its own
 * (worker/sweep-threads.ts).
 */
export function configureWasmPaths(): void {
  if (configured) return;
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const base = typeof location === 'undefined' ? undefined : location.href;
  const absolute = (url: string) => (base ? new URL(url, base).href : url);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': absolute(plainUrl),
    'tfjs-backend-wasm-simd.wasm': absolute(simdUrl),
    'tfjs-backend-wasm-threaded-simd.wasm': absolute(threadedUrl),
  });
  configured = true;
}
