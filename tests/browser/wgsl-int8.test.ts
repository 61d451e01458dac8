import { describe, expect, it } from 'vitest';
import { expectNear as near } from './support/near';
import { usePageModule } from './support/page-module';
import type { Int8Case } from './pages/wgsl-int8-page';

// Format v2's int8 layout handed to the WGSL kernel as decoded (codes and
// scales, no re-quantization), against core's host kernel on the float table
// the codes stand for. Both are float32 arithmetic in different orders:
// scores and parameters within 3e-5 × max(1, |x|), losses within 1e-5 ×
// max(1, loss); the top-20 ids must be identical.
const TOL = 3e-5;
const LOSS_TOL = 1e-5;
const page = usePageModule<typeof import('./pages/wgsl-int8-page')>('/tests/browser/pages/wgsl-int8-page.ts');

const CASES: Int8Case[] = [
  { clicks: [3], negatives: [], steps: 3 },
  { clicks: [10, 3, 10, 250, 999], negatives: [10, 11, 12, 500], steps: 3 },
  { clicks: Array.from({ length: 30 }, (_, i) => (i * 97) % 1200), negatives: [1, 2], steps: 2 },
];

describe('the WGSL kernel on format v2\'s int8 table', () => {
  it('takes codes rows × dim (padded from 6 to 8) and per-row scales as shipped, and clicks as the host kernel does', async () => {
    const result = await page.call('int8AgainstHost', 1200, 6, CASES);
    expect(result.format).toBe('int8');
    result.cases.forEach(({ gpu, host }, i) => {
      const label = `case ${i}`;
      expect(gpu.top, `${label}: top`).toEqual(host.top);
      near(`${label}: scores`, gpu.scores, host.scores, TOL);
      near(`${label}: losses`, gpu.losses, host.losses, LOSS_TOL);
      near(`${label}: user`, gpu.user, host.user, TOL);
      near(`${label}: pop, knn, seq`, [gpu.pop, gpu.knn, gpu.seq], [host.pop, host.knn, host.seq], TOL);
      // The padded coordinates carry nothing: the codes there are 0, so no gradient moves them.
      expect(gpu.user.slice(6)).toEqual([0, 0]);
    });
  });
});
