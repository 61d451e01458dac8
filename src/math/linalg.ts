// Dense symmetric positive-definite linear algebra on row-major Float64Arrays, written for
// row-contiguous inner loops (the EASE inverse is the hot spot of the baselines).

/** sum_{t<len} x[xi+t] * y[yi+t]; four accumulators hide the floating-point add latency (~2.5x faster). */
export function dot(x: Float64Array, xi: number, y: Float64Array, yi: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < len; t += 4) {
    s0 += x[xi + t]! * y[yi + t]!;
    s1 += x[xi + t + 1]! * y[yi + t + 1]!;
    s2 += x[xi + t + 2]! * y[yi + t + 2]!;
    s3 += x[xi + t + 3]! * y[yi + t + 3]!;
  }
  for (; t < len; t++) s0 += x[xi + t]! * y[yi + t]!;
  return s0 + s1 + (s2 + s3);
}

/** In-place Cholesky factorization A = L L^T of an n × n SPD matrix; the lower triangle becomes L. */
export function cholesky(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      const sum = a[ri + j]! - dot(a, ri, a, rj, j);
      if (i === j) {
        if (!(sum > 0)) throw new Error(`Matrix is not positive definite at pivot ${i} (value ${sum}): increase the L2 regularization`);
        a[ri + i] = Math.sqrt(sum);
      } else {
        a[ri + j] = sum / a[rj + j]!;
      }
    }
  }
}

/** Solves L L^T x = b in place in `b`, with L from `cholesky`. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= l[i * n + p]! * b[p]!;
    b[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let p = i + 1; p < n; p++) s -= l[p * n + i]! * b[p]!;
    b[i] = s / l[i * n + i]!;
  }
}

/** Inverse of an n × n SPD matrix (consumed): Cholesky, U = L^-T by rows, then U U^T; ~n^3/2 multiply-adds, all row dot products. */
export function spdInverse(a: Float64Array, n: number): Float64Array {
  cholesky(a, n);
  // Row c of U is column c of L^-1: forward substitution L x = e_c, nonzero from index c on.
  const u = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const rc = c * n;
    u[rc + c] = 1 / a[rc + c]!;
    for (let i = c + 1; i < n; i++) {
      const ri = i * n;
      u[rc + i] = -dot(a, ri + c, u, rc + c, i - c) / a[ri + i]!;
    }
  }
  // A^-1 = L^-T L^-1 = U U^T, and U's rows are zero left of the diagonal.
  const out = a;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      const s = dot(u, ri + i, u, rj + i, n - i);
      out[ri + j] = s;
      out[rj + i] = s;
    }
  }
  return out;
}
