// The meta-training optimizer of a sampled run (docs/TRAINING.md, "Lazy Adam"):
// tfjs's Adam on the dense parameters, lazy Adam (math/lazy-adam) on the
// item-indexed tables, whose values and moments live here, on the host, as
// row-major Float32Arrays. A batch reads its candidates' rows from them, gets
// those rows' gradients (core/meta rowSparseStep) and updates those rows in
// place: O(candidates × dim) per step, where dense Adam over the tables and
// the scatter of the rows' gradients into catalog-sized ones cost
// O(items × dim). The variables' item tables are written back by sync(),
// before whatever reads them (validation, a snapshot).
import * as tf from '@tensorflow/tfjs-core';
import { rowSparseStep, type MetaConfig, type TaskBatch } from '../core/meta';
import { ITEM_ROW_NAMES, type ItemRowName, type MetaParams, type ParamName } from '../core/params';
import type { ItemInputs } from '../core/types';
import { gatherTableRows, lazyAdamStep, rowAdamState, tfjsAdam, type AdamSettings, type RowAdamState } from '../math/lazy-adam';

/** What a sampled run's optimizer steps and keeps. */
export interface RowOptimizer {
  /** Meta-gradient and update of one sampled batch; resolves with its loss. */
  step(inputs: ItemInputs, batch: TaskBatch, config: MetaConfig): Promise<number>;
  /** Writes the item tables into the variables (they are stale between syncs). */
  sync(): void;
  /** Steps taken (Adam's t). */
  readonly steps: number;
  dispose(): void;
}

/** The optimizer of `vars` (tf.variables, trainable) at learning rate `lr`: the item tables are read once, now. */
export async function rowOptimizer(vars: MetaParams, lr: number): Promise<RowOptimizer> {
  const settings: AdamSettings = tfjsAdam(lr);
  const dense = tf.train.adam(lr, settings.beta1, settings.beta2, settings.epsilon);
  const tables = {} as Record<ItemRowName, RowAdamState>;
  for (const n of ITEM_ROW_NAMES) {
    const v = vars[n];
    tables[n] = rowAdamState(Float32Array.from(await v.data()), v.rank === 1 ? 1 : v.shape[1]!);
  }
  let steps = 0;
  return {
    get steps() {
      return steps;
    },
    async step(inputs, batch, config) {
      if (!batch.candidates) throw new Error('The lazy-Adam optimizer steps sampled batches only: a batch over the whole catalog trains with tf.train.adam.');
      const ids = (await batch.candidates.ids.data()) as Int32Array;
      const rows = {} as Record<ItemRowName, tf.Tensor>;
      for (const n of ITEM_ROW_NAMES) {
        const { values, width } = tables[n];
        const data = gatherTableRows(values, width, ids);
        rows[n] = vars[n].rank === 1 ? tf.tensor1d(data) : tf.tensor2d(data, [ids.length, width]);
      }
      const { loss, grads } = rowSparseStep(vars, rows, inputs, batch, config);
      steps += 1;
      const isRow = (n: string): n is ItemRowName => (ITEM_ROW_NAMES as readonly string[]).includes(n);
      const denseGrads = Object.entries(grads)
        .filter(([n, g]) => g !== undefined && !isRow(n))
        .map(([n, g]) => ({ name: (vars[n as ParamName] as tf.Variable).name, tensor: g! }));
      dense.applyGradients(denseGrads);
      for (const n of ITEM_ROW_NAMES) {
        const g = grads[n];
        if (g) lazyAdamStep(tables[n], ids, await g.data(), steps, settings);
      }
      const value = (await loss.data())[0]!;
      tf.dispose([loss, ...Object.values(grads), ...Object.values(rows)]);
      return value;
    },
    sync() {
      for (const n of ITEM_ROW_NAMES) {
        const v = vars[n] as tf.Variable;
        tf.tidy(() => v.assign(tf.tensor(tables[n].values, v.shape)));
      }
    },
    dispose() {
      dense.dispose();
    },
  };
}
