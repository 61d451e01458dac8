/**
 * A state's best items, kept with it: the top k without the items of a set X
 * are the first k of the full order not in X, so one selection of the best
 * k + |X| or more answers every later ranking of the same state (a click's
 * pushed top 20, then the page's top 100) without scanning the catalog
 * again. States are immutable, so a selection holds for as long as its state.
 */
import { topK } from '../math/top-k';

/** The least a kept selection holds: a click's top 20 with its exclusions and a top 100 after it come from one scan. */
export const KEPT_TOP = 128;

interface Kept {
  /** What the selection was made over (a host item table): another table means another selection. */
  readonly table: object;
  /** The table's item count: a selection of all of them answers any k. */
  readonly n: number;
  readonly indices: Int32Array;
  readonly scores: Float32Array;
}

const kept = new WeakMap<object, Kept>();

/**
 * Top `k` of the state keyed by `state` over `table`, skipping `exclude`, best first (topK's order): from its
 * kept selection when that holds k + |exclude| items, else from a new selection of `scores()` (n = its length).
 */
export function keptTop(state: object, table: object, k: number, exclude: ReadonlySet<number>, scores: () => Float32Array): { indices: Int32Array; scores: Float32Array } {
  let top = kept.get(state);
  if (top?.table !== table || (top.indices.length < k + exclude.size && top.indices.length < top.n)) {
    const all = scores();
    top = { table, n: all.length, ...topK(all, Math.max(k + exclude.size, KEPT_TOP)) };
    kept.set(state, top);
  }
  const indices: number[] = [];
  const values: number[] = [];
  for (let j = 0; j < top.indices.length && indices.length < k; j++) {
    if (exclude.has(top.indices[j]!)) continue;
    indices.push(top.indices[j]!);
    values.push(top.scores[j]!);
  }
  return { indices: Int32Array.from(indices), scores: Float32Array.from(values) };
}

/**
 * The protocol's rank of `target` among the items not in `exclude` (kernel-host rankIn: higher score first, equal
 * scores by lower index, NaN last), from the kept selection of `state` when `target` is in it, else null. The
 * selection is the first items of that order over the whole catalog, so the items before `target` are its items
 * before it: a click on a recommended item is ranked without scanning the catalog.
 */
export function keptRank(state: object, table: object, target: number, exclude: ReadonlySet<number>): number | null {
  const top = kept.get(state);
  const at = top?.table === table ? top.indices.indexOf(target) : -1;
  if (at < 0) return null;
  let before = 0;
  for (let j = 0; j < at; j++) before += exclude.has(top!.indices[j]!) ? 0 : 1;
  return before + 1;
}
