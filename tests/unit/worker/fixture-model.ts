import * as tf from '@tensorflow/tfjs';
import { computeItemTable } from '../../../src/core/model';
import { disposeParams, initParams } from '../../../src/core/params';
import type { EngineModel } from '../../../src/worker/model';

/** A tiny random model (no artifact): `items` items with 3 tags, for session tests on the cpu backend. */
export function fixtureModel(items = 30, dim = 4, steps = 3): EngineModel {
  const features = 4;
  const shape = { items, features, dim };
  const params = initParams(shape, { seed: 1, scale: 0.3, innerLr: 0.5 });
  const x = new Float32Array(items * features);
  for (let i = 0; i < items; i++) {
    x[i * features] = 1;
    x[i * features + 1 + (i % 3)] = 1;
  }
  const inputs = { features: tf.tensor2d(x, [items, features]), warm: tf.ones([items, 1]) as tf.Tensor2D, logPop: tf.zeros([items, 1]) as tf.Tensor2D };
  const table = computeItemTable(params, inputs);
  tf.dispose([inputs.features, inputs.warm, inputs.logPop]);
  const catalog = Array.from({ length: items }, (_, i) => ({ id: `i${i}`, title: `Item ${i}`, tags: [`t${i % 3}`] }));
  return {
    version: 'test-1',
    algorithm: 'maml',
    steps,
    negativeWeight: 0.5,
    dim,
    catalog,
    index: new Map(catalog.map((c, i) => [c.id, i])),
    adaptModel: { params, items: table, decay: 1 },
    dispose() {
      disposeParams(params);
      tf.dispose([table.vectors, table.bias]);
    },
  };
}
