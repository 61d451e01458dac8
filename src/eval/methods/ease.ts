import { gridSearch, type GridTrial } from '../evaluate.js';
import { spdInverse } from '../../math/linalg.js';
import { itemCounts } from '../../math/sparse.js';
import type { FoldData } from '../../protocol/types.js';
import { sharedPiece } from '../registry.js';
import type { Method, Scorer } from '../types.js';
import { scorePrefixes } from './prefixes.js';

export const EASE_DEFAULTS = {
  /** Coarse log grid, then one ×1/3 or ×3 refinement (optimal λ differs by 100× across datasets). */
  lambdas: [100, 1000, 10000, 100000],
  /** A dense n × n inverse is ~n^3/2 multiply-adds; 1,500 items take ~2 s on one core. */
  maxItems: 1500,
} as const;

/** The items EASE models: those with at least m training users, m the smallest that keeps <= maxItems. */
export function easeItems(counts: Float64Array, maxItems: number): { items: Int32Array; minUsers: number } {
  const nonzero = [...counts].filter((c) => c > 0).sort((a, b) => b - a);
  let minUsers = 1;
  // Ties at the cut drop out together, so the cap is never exceeded.
  if (nonzero.length > maxItems) minUsers = nonzero[maxItems]! + 1;
  const items: number[] = [];
  counts.forEach((c, i) => c >= minUsers && items.push(i));
  return { items: Int32Array.from(items), minUsers };
}

/** Gram matrix X^T X of the training users restricted to `items` (slot = position in items). */
function gram(fold: FoldData, slot: Int32Array, n: number): Float64Array {
  const g = new Float64Array(n * n);
  const row: number[] = [];
  for (const u of fold.train) {
    row.length = 0;
    for (const i of u.items) if (slot[i]! >= 0) row.push(slot[i]!);
    for (const a of row) for (const b of row) g[a * n + b]++;
  }
  return g;
}

/** EASE weights B = I - P diag(1/diag P), P = (G + λI)^-1, zero diagonal; stored as Float32 rows. */
function easeWeights(g: Float64Array, n: number, lambda: number): Float32Array {
  const a = g.slice();
  for (let i = 0; i < n; i++) a[i * n + i] += lambda;
  const p = spdInverse(a, n);
  const b = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (i !== j) b[i * n + j] = -p[i * n + j]! / p[j * n + j]!;
  }
  return b;
}

/** Scores: the support's EASE rows summed over modelled items; unmodelled items rank last by popularity. */
function easeScorer(fold: FoldData, items: Int32Array, slot: Int32Array, b: Float32Array, counts: Float64Array): Scorer {
  const n = items.length;
  let popMax = 1;
  for (const c of counts) popMax = Math.max(popMax, c);
  const addRows = (acc: Float64Array, support: ArrayLike<number>): Float64Array => {
    for (let k = 0; k < support.length; k++) {
      const r = slot[support[k]!]!;
      if (r < 0) continue;
      for (let j = 0, o = r * n; j < n; j++) acc[j] += b[o + j]!;
    }
    return acc;
  };
  const scores = (acc: Float64Array): Float64Array => {
    const out = new Float64Array(fold.catalog.length);
    // Unmodelled items sit far below any EASE score, ordered by popularity among themselves.
    for (let i = 0; i < out.length; i++) out[i] = slot[i]! < 0 ? -1e6 + counts[i]! : 0;
    // A 1e-6 popularity prior only breaks ties, e.g. when no support item is modelled.
    for (let j = 0; j < n; j++) out[items[j]!] = acc[j]! + (1e-6 * counts[items[j]!]!) / popMax;
    return out;
  };
  return {
    score: async (support) => scores(addRows(new Float64Array(n), support)),
    // Protocol v2's prefixes: each row sum is the previous one plus the new item's row (the same floats in the same order).
    scoreMany: async (supports) =>
      scorePrefixes(supports, (s) => addRows(new Float64Array(n), s), (previous, item) => addRows(previous.slice(), [item])).map(scores),
  };
}

/** EASE (closed-form item-item, L2 λ tuned on validation) applied to the support set. */
export function ease(options: { lambdas?: readonly number[]; maxItems?: number } = {}): Method {
  const lambdas = options.lambdas ?? EASE_DEFAULTS.lambdas;
  const maxItems = options.maxItems ?? EASE_DEFAULTS.maxItems;
  return {
    name: 'ease',
    fit: async (fold, ctx) => {
      const counts = itemCounts(fold.train.map((u) => u.items), fold.catalog.length);
      const { items, minUsers } = easeItems(counts, maxItems);
      const slot = new Int32Array(fold.catalog.length).fill(-1);
      items.forEach((i, s) => (slot[i] = s));
      // The Gram matrix and each λ's weights do not depend on the objective: protocol v1's and v2's grids share them.
      const key = `ease maxItems=${maxItems}`;
      const g = sharedPiece(ctx, `${key} gram`, () => gram(fold, slot, items.length));
      const restriction = {
        modelledItems: items.length,
        catalogItems: fold.catalog.length,
        minTrainingUsers: minUsers,
        note: `dense EASE limited to items with >= ${minUsers} training users (at most ${maxItems}); the rest rank below them by popularity`,
      };
      const coarse = lambdas.map((lambda) => ({ lambda }));
      // One refinement inverse instead of two: outwards at an edge of the grid, else towards the better neighbour.
      const refine = ({ lambda }: { lambda: number }, trials: readonly GridTrial<{ lambda: number }>[]) => {
        const at = (l: number) => trials.find((t) => t.config.lambda === l)?.validation;
        const up = at(lambda * 10);
        const down = at(lambda / 10);
        const goDown = up !== undefined && (down === undefined || down > up);
        return [{ lambda: goDown ? Math.round(lambda / 3) : lambda * 3 }];
      };
      const weightsOf = (lambda: number) => sharedPiece(ctx, `${key} lambda=${lambda}`, () => easeWeights(g, items.length, lambda));
      const build = async ({ lambda }: { lambda: number }) => easeScorer(fold, items, slot, weightsOf(lambda), counts);
      return gridSearch('ease', [coarse, refine], build, fold.validation, ctx, restriction);
    },
  };
}
