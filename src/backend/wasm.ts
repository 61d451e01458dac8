import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Vite turns these into URLs of the emitted binaries, so the wasm backend
// finds them from whatever origin or path the library is served.
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

let configured = false;

/** Points the tfjs wasm backend at its binaries (once; idempotent). */
export function configureWasmPaths(): void {
  if (configured) return;
  const base = typeof location === 'undefined' ? undefined : location.href;
  const absolute = (url: string) => (base ? new URL(url, base).href : url);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': absolute(plainUrl),
    'tfjs-backend-wasm-simd.wasm': absolute(simdUrl),
    'tfjs-backend-wasm-threaded-simd.wasm': absolute(threadedUrl),
  });
  configured = true;
}
