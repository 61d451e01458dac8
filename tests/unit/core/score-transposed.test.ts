import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreBatch } from '../../../src/core/model';
import { createRng } from '../../../src/math/rng';

// Validation scores a fixed item table many times: it passes the vectors
// transposed once (ItemTable.vectorsT), since tfjs-wasm's matMul with a
// transpose flag is ~10× slower. Training's checkpoints and the neighbour
// count are chosen on these scores: at the trainer's dims (up to 32, the
// default) they are the very same numbers; above, XNNPACK sums in another
// order, so they agree to float rounding.
let previous = '';
beforeAll(async () => {
  previous = tf.getBackend();
  await tf.setBackend('wasm');
});
afterAll(async () => {
  if (previous) await tf.setBackend(previous);
});

describe('scoring from the transposed item vectors', () => {
  for (const [users, items, dim] of [[64, 3001, 32], [7, 500, 6], [20, 900, 16], [33, 1200, 64]] as const) {
    it(`gives ${dim <= 32 ? 'bit-identical scores' : 'the scores to float rounding'} (${users} users, ${items} items, dim ${dim}) on wasm`, async () => {
      const rng = createRng(`transposed-${dim}`);
      const values = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
      const table = { vectors: tf.tensor2d(values(items * dim), [items, dim]), bias: tf.tensor1d(values(items)), context: tf.zeros([items, dim]) as tf.Tensor2D };
      const batch = { user: tf.tensor2d(values(users * dim), [users, dim]), pop: tf.tensor2d(values(users), [users, 1]) };
      const vectorsT = tf.transpose(table.vectors) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const flagged = scoreBatch(table, batch);
      const transposed = scoreBatch({ ...table, vectorsT }, batch);
      const [a, b] = [await flagged.data(), await transposed.data()];
      expect(b.length).toBe(users * items);
      let differ = 0;
      let worst = 0;
      for (let k = 0; k < a.length; k++) {
        if (a[k] !== b[k]) differ++;
        worst = Math.max(worst, Math.abs(a[k]! - b[k]!) / Math.max(1, Math.abs(a[k]!)));
      }
      if (dim <= 32) expect(differ).toBe(0);
      else expect(worst).toBeLessThan(1e-5);
      tf.dispose([flagged, transposed]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([table.vectors, table.bias, table.context, batch.user, batch.pop, vectorsT]);
    });
  }
});
