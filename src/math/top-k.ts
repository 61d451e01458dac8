/** Items left out of a selection: a set of indices, or a mask with 1 at each (protocol/metrics' exclusionMask). */
export type Excluded = ReadonlySet<number> | Uint8Array;

/**
 * Partial selection of the best k of n scores with a size-k min-heap: O(n log k)
 * and one pass, against a full sort's O(n log n). Order as tf.topk and as the
 * benchmark protocol: higher score first, equal scores in catalog (index)
 * order; NaN ranks last, as -Infinity.
 */
export function topK(scores: ArrayLike<number>, k: number, exclude: Excluded = new Set()): { indices: Int32Array; scores: Float32Array } {
  const n = scores.length;
  const excluded = exclude instanceof Uint8Array ? (i: number) => exclude[i] === 1 : (i: number) => exclude.has(i);
  const size = Math.max(0, Math.min(k, n - countIn(exclude, n)));
  const values = new Float64Array(size);
  const indices = new Int32Array(size);
  // a is worse than b: lower score, or the same score at a higher index.
  const worse = (va: number, ia: number, vb: number, ib: number): boolean => va < vb || (va === vb && ia > ib);
  let filled = 0;
  const siftDown = (at: number): void => {
    for (;;) {
      const left = 2 * at + 1;
      if (left >= filled) return;
      const right = left + 1;
      const child = right < filled && worse(values[right]!, indices[right]!, values[left]!, indices[left]!) ? right : left;
      if (!worse(values[child]!, indices[child]!, values[at]!, indices[at]!)) return;
      swap(values, indices, at, child);
      at = child;
    }
  };
  let i = 0;
  for (; i < n && filled < size; i++) {
    if (excluded(i)) continue;
    const raw = scores[i]!;
    // NaN compares false both ways and would break the heap's order.
    values[filled] = raw === raw ? raw : -Infinity;
    indices[filled] = i;
    for (let at = filled++; at > 0; ) {
      const parent = (at - 1) >> 1;
      if (!worse(values[at]!, indices[at]!, values[parent]!, indices[parent]!)) break;
      swap(values, indices, at, parent);
      at = parent;
    }
  }
  // The heap is full: an item enters only with a score above the worst kept one (an equal score comes at a
  // higher index, and NaN compares false), so the common case is one comparison.
  let min = size > 0 ? values[0]! : Infinity;
  for (; i < n; i++) {
    const v = scores[i]!;
    if (!(v > min) || excluded(i)) continue;
    values[0] = v;
    indices[0] = i;
    siftDown(0);
    min = values[0]!;
  }
  const order = Array.from(indices.keys()).sort((a, b) => values[b]! - values[a]! || indices[a]! - indices[b]!);
  return { indices: Int32Array.from(order, (j) => indices[j]!), scores: Float32Array.from(order, (j) => values[j]!) };
}

function countIn(exclude: Excluded, n: number): number {
  let count = 0;
  if (exclude instanceof Uint8Array) {
    for (let i = 0; i < Math.min(n, exclude.length); i++) count += exclude[i] === 1 ? 1 : 0;
  } else {
    for (const i of exclude) if (i >= 0 && i < n) count++;
  }
  return count;
}

function swap(values: Float64Array, indices: Int32Array, a: number, b: number): void {
  [values[a], values[b]] = [values[b]!, values[a]!];
  [indices[a], indices[b]] = [indices[b]!, indices[a]!];
}
