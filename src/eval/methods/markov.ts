import { gridSearch } from '../evaluate.js';
import { itemCounts } from '../../math/sparse.js';
import type { FoldData } from '../../protocol/types.js';
import type { Method, Scorer } from '../types.js';

/** trans(a, b): how many of the fold's training users have b directly after a in their ordered positives. */
export interface Transitions {
  /** Per item a: the items that followed it and their counts (CSR, ascending b). */
  readonly ptr: Int32Array;
  readonly next: Int32Array;
  readonly count: Float64Array;
  /** Σ_b trans(a, b): how often a was followed at all. */
  readonly out: Float64Array;
}

/** Counts first-order transitions over the training users' ordered positives. */
export function transitions(fold: FoldData): Transitions {
  const n = fold.catalog.length;
  const maps: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (const u of fold.train) {
    for (let i = 0; i + 1 < u.items.length; i++) {
      const m = maps[u.items[i]!]!;
      const b = u.items[i + 1]!;
      m.set(b, (m.get(b) ?? 0) + 1);
    }
  }
  const ptr = new Int32Array(n + 1);
  maps.forEach((m, a) => (ptr[a + 1] = ptr[a]! + m.size));
  const next = new Int32Array(ptr[n]!);
  const count = new Float64Array(ptr[n]!);
  const out = new Float64Array(n);
  maps.forEach((m, a) => {
    [...m].sort((x, y) => x[0] - y[0]).forEach(([b, c], j) => {
      next[ptr[a]! + j] = b;
      count[ptr[a]! + j] = c;
      out[a]! += c;
    });
  });
  return { ptr, next, count, out };
}

/**
 * Protocol v2's exactly specified Markov baseline: rank by trans(last history
 * item, i), then popularity, then catalog order. Counts are integers, so
 * `trans × (max popularity + 1) + popularity` orders exactly that way.
 */
export function markovScorer(fold: FoldData): Scorer {
  const trans = transitions(fold);
  const counts = itemCounts(fold.train.map((u) => u.items), fold.catalog.length);
  const scale = Math.max(0, ...counts) + 1;
  return {
    score: async (support) => {
      const out = Float64Array.from(counts);
      if (support.length === 0) return out;
      const a = support[support.length - 1]!;
      for (let p = trans.ptr[a]!; p < trans.ptr[a + 1]!; p++) out[trans.next[p]!]! += trans.count[p]! * scale;
      return out;
    },
    tuning: { hyperparameters: 'none (exactly specified by protocol v2)' },
  };
}

/** Protocol v2's Markov baseline (exactly specified: nothing to tune). */
export function markov(): Method {
  return { name: 'markov', tunes: false, fit: async (fold) => markovScorer(fold) };
}

export interface MarkovConfig extends Readonly<Record<string, unknown>> {
  /** Weight of the j-th most recent history item's transitions: decay^j (0: the last item only). */
  readonly decay: number;
  /** 'count': trans(a, b); 'share': trans(a, b) / Σ_b trans(a, b), so rare predecessors speak as loudly. */
  readonly weighting: 'count' | 'share';
}

/** Recent items looked back on: decay^5 is already small for every decay on the grid. */
const LOOKBACK = 5;

export const MARKOV_GRID: readonly MarkovConfig[] = [0, 0.25, 0.5].flatMap((decay) =>
  (['count', 'share'] as const).map((weighting) => ({ decay, weighting })),
);

/** Transitions from the last few history items, decayed by recency, popularity breaking ties. */
function decayedMarkovScorer(trans: Transitions, counts: Float64Array, config: MarkovConfig): Scorer {
  const popMax = Math.max(1, ...counts);
  return {
    score: async (support) => {
      const out = new Float64Array(counts.length);
      for (let j = 0; j < Math.min(LOOKBACK, support.length); j++) {
        const w = j === 0 ? 1 : config.decay ** j;
        if (w === 0) break;
        const a = support[support.length - 1 - j]!;
        const norm = config.weighting === 'share' ? trans.out[a]! || 1 : 1;
        for (let p = trans.ptr[a]!; p < trans.ptr[a + 1]!; p++) out[trans.next[p]!]! += (w * trans.count[p]!) / norm;
      }
      // Popularity only orders what the transitions leave tied (far below any transition weight).
      for (let i = 0; i < out.length; i++) out[i] = out[i]! * 1e6 + counts[i]! / popMax;
      return out;
    },
  };
}

/** Markov over the last few clicks, its decay and weighting chosen on validation users. */
export function markovTuned(grid: readonly MarkovConfig[] = MARKOV_GRID): Method {
  return {
    name: 'markov-tuned',
    fit: async (fold, ctx) => {
      const trans = transitions(fold);
      const counts = itemCounts(fold.train.map((u) => u.items), fold.catalog.length);
      return gridSearch('markov-tuned', [grid], async (c) => decayedMarkovScorer(trans, counts, c), fold.validation, ctx, { lookback: LOOKBACK });
    },
  };
}
