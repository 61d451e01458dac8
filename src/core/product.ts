// Matrix products whose gradients avoid transpose flags. tfjs's matMul
// gradient multiplies by the other operand transposed (`transposeA` or
// `transposeB`), and tfjs-wasm runs a flagged product on a slow path: ~9×
// slower than the same product on an explicitly transposed copy (19 vs 2.1 ms
// for [32, 32] × [32, 17,632]; bench/matmul-paths.ts). Training's catalog
// products pay it in every backward pass; these pay a transpose copy instead.
import * as tf from '@tensorflow/tfjs-core';

/** a · bᵀ ([m, k] · [n, k]ᵀ = [m, n]): the users' scores of every item, differentiable in both. */
export function timesTransposed(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y] = args as [tf.Tensor2D, tf.Tensor2D];
    (args[2] as tf.GradSaveFunc)([x, y]);
    return {
      value: tf.matMul(x, tf.transpose(y)),
      // d/da = dy · b; d/db = dyᵀ · a.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor2D, saved[1] as tf.Tensor2D), tf.matMul(tf.transpose(dy), saved[0] as tf.Tensor2D)],
    };
  });
  return op(a, b) as tf.Tensor2D;
}

/** a · b ([m, k] · [k, n] = [m, n]), as tf.matMul, differentiable in both without transpose flags. */
export function times(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y] = args as [tf.Tensor2D, tf.Tensor2D];
    (args[2] as tf.GradSaveFunc)([x, y]);
    return {
      value: tf.matMul(x, y),
      // d/da = dy · bᵀ; d/db = aᵀ · dy.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1]!)), tf.matMul(tf.transpose(saved[0]!), dy as tf.Tensor2D)],
    };
  });
  return op(a, b) as tf.Tensor2D;
}
