import type { UserPositives } from './types.js';

/** A compressed sparse row matrix of 0/1 entries: row r holds cols[ptr[r] .. ptr[r+1]). */
export interface Csr {
  readonly rows: number;
  readonly ptr: Int32Array;
  readonly cols: Int32Array;
}

/** The user × item matrix of training positives (rows in the order of `users`). */
export function userItemMatrix(users: readonly UserPositives[]): Csr {
  const ptr = new Int32Array(users.length + 1);
  users.forEach((u, r) => (ptr[r + 1] = ptr[r]! + u.items.length));
  const cols = new Int32Array(ptr[users.length]!);
  users.forEach((u, r) => cols.set(u.items, ptr[r]!));
  return { rows: users.length, ptr, cols };
}

/** The transpose: for each of `cols` columns, the rows that contain it (ascending). */
export function transpose(m: Csr, cols: number): Csr {
  const ptr = new Int32Array(cols + 1);
  for (let i = 0; i < m.cols.length; i++) ptr[m.cols[i]! + 1]++;
  for (let c = 0; c < cols; c++) ptr[c + 1] += ptr[c]!;
  const fill = ptr.slice(0, cols);
  const out = new Int32Array(m.cols.length);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.ptr[r]!; p < m.ptr[r + 1]!; p++) out[fill[m.cols[p]!]++] = r;
  }
  return { rows: cols, ptr, cols: out };
}

/** Number of training users with each catalog item as a positive (|U_i|). */
export function itemCounts(users: readonly UserPositives[], catalogSize: number): Float64Array {
  const counts = new Float64Array(catalogSize);
  for (const u of users) for (let i = 0; i < u.items.length; i++) counts[u.items[i]!]++;
  return counts;
}
