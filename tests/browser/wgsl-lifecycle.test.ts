import { describe, expect, it } from 'vitest';
import { usePageModule } from './support/page-module';

const page = usePageModule<typeof import('./pages/wgsl-lifecycle-page')>('/tests/browser/pages/wgsl-lifecycle-page.ts');

describe('WGSL kernel over a session', () => {
  it('creates no GPU buffer in 1,000 clicks; one dispatch plan and one read-back each', async () => {
    const r = await page.call('session', 1000);
    console.log('ledger', JSON.stringify(r.ledger), 'grown', JSON.stringify(r.grown));
    const first = r.ledger[0]!;
    for (const counts of r.ledger) expect(counts).toEqual(first);
    expect(r.clicks).toBe(1000);
    expect(r.readbacks).toBe(1000);
    expect(r.dispatches).toBe(r.expectedDispatches);
    // A far larger input grows the input buffer: one destroyed, one created, as many live.
    expect(r.grown.created).toBe(first.created + 1);
    expect(r.grown.destroyed).toBe(first.destroyed + 1);
    expect(r.grown.live).toBe(first.live);
    // dispose() frees every buffer the kernel made.
    expect(r.disposed.live).toBe(0);
    expect(r.disposed.liveBytes).toBe(0);
  }, 900_000);
});

describe('WGSL kernel and a lost device', () => {
  it('rejects the click in flight and every later one with GpuDeviceLost, and rebuilds on a new device', async () => {
    const r = await page.call('loseDevice', false);
    expect(r.before).toBeGreaterThan(0);
    expect(r.pending).toMatch(/^GpuDeviceLost: The WebGPU device was lost \(destroyed/);
    expect(r.next).toMatch(/^GpuDeviceLost: /);
    expect(r.loss?.reason).toBe('destroyed');
    expect(r.freshIsNew).toBe(true);
    expect(r.rebuilt).toBeGreaterThan(0);
  });

  it('reports the loss of the device it shares with tfjs the same way', async () => {
    const r = await page.call('loseDevice', true);
    expect(r.shared).toBe(true);
    expect(r.pending).toMatch(/^GpuDeviceLost: /);
    expect(r.next).toMatch(/^GpuDeviceLost: /);
    expect(r.loss?.reason).toBe('destroyed');
  });
});
