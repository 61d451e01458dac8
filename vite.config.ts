import { defineConfig } from 'vite';

// Minimal on purpose: the worker is an ES module (it imports tfjs at the top
// level); the wasm backend's binaries are located through `?url` imports in
// src/backend. Pre-bundling the worker's dependencies up front keeps the dev
// server from discovering them mid-session and reloading the page.
export default defineConfig({
  root: '.',
  publicDir: 'public',
  worker: { format: 'es' },
  optimizeDeps: {
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'idb'],
  },
  build: { target: 'es2022' },
});
