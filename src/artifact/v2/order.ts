/**
 * An item order that puts neighbours near each other, so the gap-coded
 * neighbour ids of format v2 are small and repeat (bench/results/artifact-*:
 * about a third fewer gzip bytes for the ids). A breadth-first walk of the
 * item-item graph, as in Cuthill–McKee: components from their least connected
 * item, neighbours visited least connected first, ties by index. The order of a
 * catalog carries no meaning (the runtime finds items by id), so the encoder
 * may use any.
 */

import type { Neighbours } from '../../core/neighbours';

/** `position[i]`: where item i goes; the identity without neighbours. */
export function localityOrder(items: number, neighbours?: Neighbours): Int32Array {
  const position = new Int32Array(items);
  if (!neighbours || neighbours.m === 0) return position.map((_, i) => i);
  const { m, ids } = neighbours;
  // The graph made symmetric, as CSR: i's list and every list that names i.
  const degree = new Int32Array(items);
  for (let i = 0; i < items; i++) {
    for (let s = 0; s < m; s++) {
      const j = ids[i * m + s]!;
      if (j < 0) continue;
      degree[i]!++;
      degree[j]!++;
    }
  }
  const start = new Int32Array(items + 1);
  for (let i = 0; i < items; i++) start[i + 1] = start[i]! + degree[i]!;
  const edges = new Int32Array(start[items]!);
  const fill = start.slice(0, items);
  for (let i = 0; i < items; i++) {
    for (let s = 0; s < m; s++) {
      const j = ids[i * m + s]!;
      if (j < 0) continue;
      edges[fill[i]!++] = j;
      edges[fill[j]!++] = i;
    }
  }
  const byDegree = (a: number, b: number): number => degree[a]! - degree[b]! || a - b;
  const seen = new Uint8Array(items);
  const queue = new Int32Array(items);
  let [head, tail] = [0, 0];
  for (const root of Array.from({ length: items }, (_, i) => i).sort(byDegree)) {
    if (seen[root]) continue;
    seen[root] = 1;
    queue[tail++] = root;
    while (head < tail) {
      const item = queue[head]!;
      position[item] = head++;
      const next: number[] = [];
      for (let e = start[item]!; e < start[item + 1]!; e++) {
        const j = edges[e]!;
        if (!seen[j]) {
          seen[j] = 1;
          next.push(j);
        }
      }
      for (const j of next.sort(byDegree)) queue[tail++] = j;
    }
  }
  return position;
}

/** Rows of `width` values moved to their positions. */
export function permuteRows(values: Float32Array, width: number, position: Int32Array): Float32Array {
  const out = new Float32Array(values.length);
  position.forEach((to, from) => out.set(values.subarray(from * width, (from + 1) * width), to * width));
  return out;
}
