// Sparse 0/1 matrices of who touched what: the input of every item-item and
// factor method (ItemKNN, iALS, the model's neighbours). Rows are plain index
// lists, so the training CLI and the benchmark build them the same way.

/** A compressed sparse row matrix of 0/1 entries: row r holds cols[ptr[r] .. ptr[r+1]). */
export interface Csr {
  readonly rows: number;
  readonly ptr: Int32Array;
  readonly cols: Int32Array;
}

/** The user × item matrix of users' positives (catalog indices), rows and entries in the order given. */
export function userItemMatrix(rows: readonly ArrayLike<number>[]): Csr {
  const ptr = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => (ptr[i + 1] = ptr[i]! + r.length));
  const cols = new Int32Array(ptr[rows.length]!);
  rows.forEach((r, i) => cols.set(r, ptr[i]!));
  return { rows: rows.length, ptr, cols };
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

/** Number of users with each of `items` catalog items among their positives (|U_i|; a repeat counts again). */
export function itemCounts(rows: readonly ArrayLike<number>[], items: number): Float64Array {
  const counts = new Float64Array(items);
  for (const r of rows) for (let i = 0; i < r.length; i++) counts[r[i]!]++;
  return counts;
}
