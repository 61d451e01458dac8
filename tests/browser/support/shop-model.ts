// A large synthetic shop as the trainer's encoder takes it (a finished model:
// the table and lists are random, the format and the runtime are under test),
// for the 1M-item bench (bench/artifact-browser.ts) and the browser tests of
// what only a large catalog exercises.
import type { FinishedModel } from '../../../src/artifact/v2';
import { USER_PARAM_NAMES } from '../../../src/core/int8-model';
import { createRng } from '../../../src/math/rng';

const DIM = 32;
const NEIGHBOURS = 10;

/** A finished model of `N` items: random vectors, a Zipf-like prior, neighbours among nearby ids (as a renumbered catalog has them), 3 transitions. */
export function syntheticShop(N: number): FinishedModel {
  const rng = createRng(`shop-${N}`);
  const normal = (n: number, s: number) => Float32Array.from({ length: n }, () => rng.normal() * s);
  const lists = (m: number, spread: number, weight: () => number) => {
    const ids = new Int32Array(N * m);
    const sims = new Float32Array(N * m);
    for (let i = 0; i < N; i++) {
      const seen = new Set<number>([i]);
      for (let s = 0; s < m; s++) {
        let j = i;
        while (seen.has(j)) j = Math.min(N - 1, Math.max(0, i + Math.round(rng.normal() * spread)));
        seen.add(j);
        ids[i * m + s] = j;
        sims[i * m + s] = weight() / (1 + s);
      }
    }
    return { m, ids, sims };
  };
  const user: Record<string, Float32Array> = {};
  for (const name of USER_PARAM_NAMES) user[name] = name === 'userInit' || name === 'logLrUser' ? normal(DIM, 0.3) : Float32Array.of(name === 'logitDecay' ? 1.5 : -0.5);
  return {
    algorithm: 'maml',
    items: N,
    dim: DIM,
    vectors: normal(N * DIM, 0.3),
    context: normal(N * DIM, 0.3),
    bias: Float32Array.from({ length: N }, (_, i) => -Math.log1p(i) * 0.3),
    neighbours: lists(NEIGHBOURS, 200, () => 0.2 + 0.6 * rng.next()),
    transitions: lists(3, 50, () => 1 + 3 * rng.next()),
    user,
    catalog: Array.from({ length: N }, (_, i) => ({ id: `sku${i}`, title: `Product ${i}`, tags: [`c${i % 97}`] })),
    steps: 2,
    negativeWeight: 0.5,
    training: { note: 'random table: the format and the runtime are under test' },
    data: { name: `synthetic shop ${N}`, fingerprint: '0', users: 0, items: N, interactions: 0 },
    validation: {},
  };
}
