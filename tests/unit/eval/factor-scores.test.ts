import { describe, expect, it } from 'vitest';
import { factorScores } from '../../../src/eval/methods/factor-scores';
import { dot } from '../../../src/math/linalg';
import { createRng } from '../../../src/math/rng';

// The iALS baseline's fold-in scores run in WebAssembly SIMD: every score must be
// the double linalg.dot gives plus the prior, bit for bit, whatever the path.
describe('factorScores', () => {
  for (const [n, dim, users] of [[1000, 32, 50], [301, 64, 7], [17, 4, 1], [40, 6, 3], [1, 8, 2]] as const) {
    it(`equals dot + prior bit for bit (${n} items, dim ${dim}, ${users} users; ${dim % 4 === 0 ? 'SIMD' : 'plain loop'})`, () => {
      const rng = createRng(`factor-${n}-${dim}`);
      const items = Float64Array.from({ length: n * dim }, () => rng.normal() * 0.3);
      const prior = Float64Array.from({ length: n }, () => rng.next() * 1e-9);
      const xs = Array.from({ length: users }, () => Float64Array.from({ length: dim }, () => rng.normal()));
      const table = factorScores(items, n, dim, prior);
      expect(table.simd).toBe(dim % 4 === 0);
      // Twice: the second call reuses the grown memory.
      for (const round of [xs, xs.slice(0, 1)]) {
        const out = table.scores(round);
        expect(out).toHaveLength(round.length);
        round.forEach((x, j) => {
          const want = Float64Array.from({ length: n }, (_, i) => dot(items, i * dim, x, 0, dim) + prior[i]!);
          expect(Array.from(out[j]!)).toEqual(Array.from(want));
        });
      }
      expect(table.scores([])).toEqual([]);
    });
  }
});
