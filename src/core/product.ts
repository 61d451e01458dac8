// Matrix products whose gradients avoid transpose flags. tfjs's matMul
// gradient multiplies by the other operand transposed (`transposeA` or
// `transposeB`), and tfjs-wasm runs a flagged product on a slow path: ~5-7×
// slower than the same product on an explicitly transposed copy (21 vs 2.8-4.2
// ms for [32, 32] × [32, 17,632]; bench/matmul-paths.ts). Training's catalog
// products pay it in every backward pass; these pay a transpose copy instead.
import * as tf from '@tensorflow/tfjs-core';

type Pair = [tf.Tensor2D, tf.Tensor2D];

/** `value(a, b)` with the gradients `grads(dy, a, b)` = [d/da, d/db]. */
function product(a: tf.Tensor2D, b: tf.Tensor2D, value: (...ab: Pair) => tf.Tensor2D, grads: (dy: tf.Tensor2D, ...ab: Pair) => Pair): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y] = args as Pair;
    (args[2] as tf.GradSaveFunc)([x, y]);
    return { value: value(x, y), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => grads(dy as tf.Tensor2D, ...(saved as Pair)) };
  });
  return op(a, b) as tf.Tensor2D;
}

/** a · bᵀ ([m, k] · [n, k]ᵀ = [m, n]): the users' scores of every item, differentiable in both. */
export function timesTransposed(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  // d/da = dy · b; d/db = dyᵀ · a.
  return product(a, b, (x, y) => tf.matMul(x, tf.transpose(y)), (dy, x, y) => [tf.matMul(dy, y), tf.matMul(tf.transpose(dy), x)]);
}

/** a · b ([m, k] · [k, n] = [m, n]), as tf.matMul, differentiable in both without transpose flags. */
export function times(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  // d/da = dy · bᵀ; d/db = aᵀ · dy.
  return product(a, b, (x, y) => tf.matMul(x, y), (dy, x, y) => [tf.matMul(dy, tf.transpose(y)), tf.matMul(tf.transpose(x), dy)]);
}
