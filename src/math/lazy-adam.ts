// Row-sparse ("lazy") Adam for a table with one row per catalog item
// (TensorFlow Addons' LazyAdam, PyTorch's SparseAdam): a step updates the
// moments and values of the rows given, and only those. A sampled-softmax
// batch touches a few thousand of a large catalog's rows; dense Adam would
// still decay every row's moments and move every row by its old momentum,
// O(items × width) per step.
//
// Bias correction uses the global step count t, as tfjs's dense Adam,
// LazyAdam and SparseAdam do: a row touched at every step follows dense Adam
// exactly, and the dense parameters trained beside the table share the same
// t. (A per-row count would shrink a rarely touched row's first steps back to
// lr; with the global count such a row's first step after a long pause is
// ≈ (1 − β1)/√(1 − β2) ≈ 3.2 lr in size, the known trade-off of LazyAdam.)
// The PyTorch trainer mirrors this (trainer/localrec_trainer/math/lazy_adam.py).

/** Adam's settings: learning rate, moment decays, ε (tfjs's float32 backends use 1e-7). */
export interface AdamSettings {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** tf.train.adam's defaults on float32 backends, at a learning rate. */
export function tfjsAdam(lr: number): AdamSettings {
  return { lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
}

/** A table with its Adam moments, row-major [rows × width]. */
export interface RowAdamState {
  readonly values: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly width: number;
}

/** A table's state with zero moments; `values` is kept (not copied) and updated in place. */
export function rowAdamState(values: Float32Array, width: number): RowAdamState {
  if (!Number.isInteger(width) || width < 1 || values.length % width !== 0) {
    throw new Error(`A row table of ${values.length} values cannot have rows of ${width}: pass the table's row width (its last dimension).`);
  }
  return { values, m: new Float32Array(values.length), v: new Float32Array(values.length), width };
}

/**
 * Adam step `t` (1-based, the run's global step) on the rows `ids` of `state`,
 * whose gradients are `grads` ([ids × width], row k for row ids[k]); every
 * other row, values and moments, stays as it is. `ids` must be distinct.
 */
export function lazyAdamStep(state: RowAdamState, ids: ArrayLike<number>, grads: ArrayLike<number>, t: number, s: AdamSettings): void {
  const { values, m, v, width } = state;
  const rows = values.length / width;
  if (grads.length !== ids.length * width) throw new Error(`Lazy Adam got ${grads.length} gradient values for ${ids.length} rows of ${width}: expected ${ids.length * width}.`);
  if (!Number.isInteger(t) || t < 1) throw new Error(`Lazy Adam's step count must be a whole number ≥ 1, got ${t}.`);
  const correct1 = 1 - Math.pow(s.beta1, t);
  const correct2 = 1 - Math.pow(s.beta2, t);
  for (let k = 0; k < ids.length; k++) {
    const row = ids[k]!;
    if (!Number.isInteger(row) || row < 0 || row >= rows) throw new Error(`Lazy Adam got row ${row}, outside the table's ${rows} rows.`);
    for (let j = 0, at = row * width, g = k * width; j < width; j++, at++, g++) {
      const grad = grads[g]!;
      const m1 = s.beta1 * m[at]! + (1 - s.beta1) * grad;
      const v1 = s.beta2 * v[at]! + (1 - s.beta2) * grad * grad;
      m[at] = m1;
      v[at] = v1;
      values[at] = values[at]! - (s.lr * (m1 / correct1)) / (Math.sqrt(v1 / correct2) + s.epsilon);
    }
  }
}

/** The rows `ids` of a row-major table, [ids × width] (a sampled batch's rows of an item table). */
export function gatherTableRows(values: Float32Array, width: number, ids: ArrayLike<number>): Float32Array {
  const out = new Float32Array(ids.length * width);
  for (let k = 0; k < ids.length; k++) out.set(values.subarray(ids[k]! * width, (ids[k]! + 1) * width), k * width);
  return out;
}
