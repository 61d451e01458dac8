import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/harness';
import type { GpuProbe } from './pages/gpu-probe';
import './support/page-globals';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

describe('Chromium with --enable-unsafe-webgpu', () => {
  it('exposes a WebGPU adapter and runs tfjs on it in the page', async () => {
    const { context, page } = await harness.newPage();
    const result = await page.evaluate(async () => {
      const mod = await window.importModule<{ probeGpu(): Promise<GpuProbe> }>('/tests/browser/pages/gpu-probe.ts');
      return mod.probeGpu();
    });
    expect(result).toEqual({ adapter: true, backend: 'webgpu', setBackend: true, sum: 6 });
    await context.close();
  });

  it('does the same in a dedicated worker', async () => {
    const { context, page } = await harness.newPage();
    const result = await page.evaluate(async () => {
      const mod = await window.importModule<{ probeGpuInWorker(): Promise<GpuProbe> }>(
        '/tests/browser/pages/gpu-probe-in-worker.ts',
      );
      return mod.probeGpuInWorker();
    });
    expect(result).toEqual({ adapter: true, backend: 'webgpu', setBackend: true, sum: 6 });
    await context.close();
  });
});
