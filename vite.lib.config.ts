import { defineConfig, type Plugin } from 'vite';

// The library build for bundlers, into dist/lib: `import { createRecommender } from 'localrec'`
// (index.js) and 'localrec/core' (core/index.js). tfjs and idb stay external
// imports on the page side (the app's bundler resolves them once); the worker
// is bundled whole, tfjs included, as assets/worker-*.js. Type declarations
// come from `tsc -p tsconfig.build.json`.
//
// Vite writes the worker URL as new URL(/* @vite-ignore */ new URL(…).href, …),
// which an app's bundler would not follow (its build would then lack the
// worker). This rewrites it to the literal `new URL("./assets/worker-….js",
// import.meta.url)` that Vite, webpack 5 and Parcel all detect and emit.
function literalWorkerUrls(): Plugin {
  const pattern = /new URL\(\s*(?:\/\*\s*@vite-ignore\s*\*\/\s*)?new URL\("(assets\/[\w-]+\.js)", import\.meta\.url\)\.href,\s*"" \+ import\.meta\.url\s*\)/g;
  return {
    name: 'localrec:literal-worker-urls',
    renderChunk(code) {
      const out = code.replace(pattern, (_, file: string) => `new URL("./${file}", import.meta.url)`);
      return out === code ? null : { code: out, map: null };
    },
  };
}

export default defineConfig({
  base: './',
  publicDir: false,
  worker: { format: 'es' },
  plugins: [literalWorkerUrls()],
  build: {
    outDir: 'dist/lib',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    sourcemap: true,
    modulePreload: false,
    rolldownOptions: {
      input: { index: 'src/index.ts', 'core/index': 'src/core/index.ts' },
      preserveEntrySignatures: 'strict',
      external: [/^@tensorflow\//, 'idb'],
      checks: { bundlerTimings: false },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', assetFileNames: 'assets/[name]-[hash][extname]' },
    },
  },
});
