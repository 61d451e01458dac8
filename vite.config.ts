import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { defineConfig, type Connect, type Plugin } from 'vite';

const EMBED_TYPES: Record<string, string> = { js: 'text/javascript', wasm: 'application/wasm' };

// Serves the built embed (dist/embed, from `npm run build:embed`) at /embed/
// byte for byte, as a CDN would: the dev server's module transforms would
// break the classic-script loader. public/embed-example.html loads it there.
function serveBuiltEmbed(): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!));
    if (path.includes('..')) return next();
    readFile(join('dist/embed', path)).then(
      (body) => {
        res.setHeader('Content-Type', EMBED_TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream');
        res.setHeader('Access-Control-Allow-Origin', '*');
        res.end(body);
      },
      () => {
        res.statusCode = 404;
        res.end(`No ${path} in dist/embed: run \`npm run build:embed\` first.`);
      },
    );
  };
  return {
    name: 'localrec:serve-built-embed',
    configureServer: (server) => void server.middlewares.use('/embed', middleware),
    configurePreviewServer: (server) => void server.middlewares.use('/embed', middleware),
  };
}

// Cross-origin isolation: with it the worker may share a shared WebAssembly
// memory with helper threads, which sweep a large catalog's int8 table in
// parts (src/worker/sweep-threads.ts); without it the worker sweeps alone.
// `credentialless` keeps cross-origin images (product thumbnails) loading
// without each CDN sending Cross-Origin-Resource-Policy.
const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
};

// Minimal on purpose: the worker is an ES module (it imports tfjs at the top
// level); the wasm backend's binaries are located through `?url` imports in
// src/backend. Pre-bundling the worker's dependencies up front keeps the dev
// server from discovering them mid-session and reloading the page. The site
// (demo) builds into dist/site, beside the library and embed builds.
export default defineConfig({
  root: '.',
  publicDir: 'public',
  plugins: [serveBuiltEmbed()],
  server: { headers: CROSS_ORIGIN_ISOLATION },
  preview: { headers: CROSS_ORIGIN_ISOLATION },
  worker: { format: 'es' },
  optimizeDeps: {
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'idb'],
  },
  build: { target: 'es2022', outDir: 'dist/site' },
});
