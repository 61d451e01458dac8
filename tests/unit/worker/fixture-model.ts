import * as tf from '@tensorflow/tfjs';
import { CONSTANT_FEATURE, contentFeatures, disposeInputs, itemInputs } from '../../../src/core/features';
import { computeItemTable } from '../../../src/core/model';
import { disposeParams, initParams } from '../../../src/core/params';
import { arrayCatalog } from '../../../src/artifact';
import type { EngineModel } from '../../../src/worker/model';

/** A tiny random model (no artifact): `items` items with 3 tags, for session tests on the cpu backend. */
export function fixtureModel(items = 30, dim = 4, steps = 3): EngineModel {
  const features = 4;
  const shape = { items, features, dim };
  const params = initParams(shape, { seed: 1, scale: 0.3, innerLr: 0.5 });
  const tags = Array.from({ length: items }, (_, i) => [`t${i % 3}`]);
  const inputs = itemInputs(contentFeatures(tags, [CONSTANT_FEATURE, 't0', 't1', 't2']), new Float32Array(items).fill(1), new Float32Array(items));
  const table = computeItemTable(params, inputs);
  disposeInputs(inputs);
  const catalog = Array.from({ length: items }, (_, i) => ({ id: `i${i}`, title: `Item ${i}`, tags: [`t${i % 3}`] }));
  return {
    version: 'test-1',
    algorithm: 'maml',
    steps,
    negativeWeight: 0.5,
    dim,
    catalog: arrayCatalog(catalog),
    adaptModel: { params, items: table, decay: 1 },
    dispose() {
      disposeParams(params);
      tf.dispose([table.vectors, table.bias]);
    },
  };
}
