import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyArtifact } from '../unit/worker/fixtures/tiny-artifact';
import { serveArtifact } from './support/artifact-route';
import { startEngine, startEngineError } from './support/engine';
import { startHarness, type Harness } from './support/harness';
import type {} from './pages/engine-page';

// Chromium on Linux without --enable-unsafe-webgpu: no WebGPU adapter, as on
// many visitors' machines.
let harness: Harness;
let files: Record<string, Uint8Array>;
beforeAll(async () => {
  await tf.setBackend('cpu');
  files = await tinyArtifact({ items: 30, dim: 4, steps: 2 });
  harness = await startHarness({ webgpu: false });
});
afterAll(async () => {
  await harness?.close();
});

describe('a browser without WebGPU', () => {
  it('fails an explicit "webgpu" with the reason and the fix', async () => {
    const { context, page } = await harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', files);
    const message = await startEngineError(page, { modelUrl, backend: 'webgpu' });
    expect(message).toMatch(/^Error: Backend "webgpu" is not available: no WebGPU (adapter|in this browser).* Use backend: "auto" to fall back\.$/);
    await context.close();
  });

  it('auto runs without WebGPU and says why it was not used', async () => {
    const { context, page } = await harness.newPage();
    const modelUrl = await serveArtifact(context, 'tiny', files);
    const info = await startEngine(page, { modelUrl, backend: 'auto', selectionBudgetMs: 60_000 });
    expect(info.backend).not.toBe('webgpu');
    const webgpu = info.timings.find((t) => t.name === 'webgpu')!;
    expect(webgpu.ms).toBeNull();
    // Skipped because wasm was already fast, or probed and found missing.
    expect(webgpu.error).toMatch(/already adapts and ranks|no WebGPU/);
    await context.close();
  });
});
