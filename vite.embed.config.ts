import { defineConfig, type UserConfig } from 'vite';

// The embed build, into dist/embed, in two passes (one output format each):
//   vite build -c vite.embed.config.ts               → engine.js (ES module: client + widget),
//                                                      assets/worker-*.js (tfjs) and the wasm binaries
//   vite build -c vite.embed.config.ts --mode loader → embed.js (one classic script, the loader)
// base './' makes every asset URL relative to the module that uses it
// (new URL(…, import.meta.url)), so the files work from any CDN path, and the
// worker finds its wasm binaries even when started from a blob: URL.
const OUT_DIR = 'dist/embed';

const engine: UserConfig = {
  base: './',
  publicDir: false,
  worker: { format: 'es' },
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    rolldownOptions: {
      input: { engine: 'src/embed/engine.ts' },
      preserveEntrySignatures: 'exports-only',
      // Bundling tfjs into the worker is the slow part, and expected: skip the timing report.
      checks: { bundlerTimings: false },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'assets/[name]-[hash].js', assetFileNames: 'assets/[name]-[hash][extname]' },
    },
  },
};

const loader: UserConfig = {
  publicDir: false,
  build: {
    outDir: OUT_DIR,
    emptyOutDir: false,
    target: 'es2022',
    modulePreload: false,
    rolldownOptions: {
      input: 'src/embed/embed.ts',
      output: { format: 'iife', entryFileNames: 'embed.js' },
    },
  },
};

export default defineConfig(({ mode }) => (mode === 'loader' ? loader : engine));
