import type { Transitions } from '../core/transitions';

/** Transition lists with what training needs to take a user's own transitions out (leave-one-out). */
export interface TrainingTransitions extends Transitions {
  /** [items × m] trans(a, b) behind each weight. */
  readonly co: Float32Array;
  /** [items] out(a) = Σ_b trans(a, b). */
  readonly out: Float32Array;
  readonly shrink: number;
}

/**
 * Top-`m` successors of every item over the training users' ordered
 * positives, weighted trans(a, b) / (out(a) + shrink); ties by index.
 */
export function buildTransitions(train: readonly Int32Array[], items: number, m: number, shrink: number): TrainingTransitions {
  const maps: Map<number, number>[] = Array.from({ length: items }, () => new Map());
  const out = new Float32Array(items);
  for (const u of train) {
    for (let p = 0; p + 1 < u.length; p++) {
      const a = u[p]!;
      maps[a]!.set(u[p + 1]!, (maps[a]!.get(u[p + 1]!) ?? 0) + 1);
      out[a]! += 1;
    }
  }
  const ids = new Int32Array(items * m).fill(-1);
  const sims = new Float32Array(items * m);
  const co = new Float32Array(items * m);
  maps.forEach((next, a) => {
    [...next]
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, m)
      .forEach(([b, c], r) => {
        ids[a * m + r] = b;
        co[a * m + r] = c;
        sims[a * m + r] = c / (out[a]! + shrink);
      });
  });
  return { m, ids, sims, co, out, shrink };
}

/** A user's own transitions: a → b counts, and how often each a was followed at all. */
export function ownTransitions(history: Int32Array): { pairs: Map<number, Map<number, number>>; out: Map<number, number> } {
  const pairs = new Map<number, Map<number, number>>();
  const out = new Map<number, number>();
  for (let p = 0; p + 1 < history.length; p++) {
    const a = history[p]!;
    let m = pairs.get(a);
    if (!m) pairs.set(a, (m = new Map()));
    m.set(history[p + 1]!, (m.get(history[p + 1]!) ?? 0) + 1);
    out.set(a, (out.get(a) ?? 0) + 1);
  }
  return { pairs, out };
}

/**
 * A training user's transition row for their support, as if they had not been
 * among the training users (their own transitions taken out), each click
 * weighted by `weights` (see core/transitions seqWeights).
 */
export function leaveOneOutTransitionRow(
  index: TrainingTransitions,
  support: ArrayLike<number>,
  own: ReturnType<typeof ownTransitions>,
  weights: ArrayLike<number>,
  out: Float32Array,
): Float32Array {
  out.fill(0);
  const { m, ids, co } = index;
  for (let c = 0; c < support.length; c++) {
    const w = weights[c]!;
    if (w === 0) continue;
    const a = support[c]!;
    const mine = own.pairs.get(a);
    const total = index.out[a]! - (own.out.get(a) ?? 0) + index.shrink;
    if (total <= 0) continue;
    for (let r = 0; r < m; r++) {
      const b = ids[a * m + r]!;
      if (b < 0) break;
      const count = co[a * m + r]! - (mine?.get(b) ?? 0);
      if (count > 0) out[b]! += (w * count) / total;
    }
  }
  return out;
}
