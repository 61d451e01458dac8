// Lazy (row-sparse) Adam (src/math/lazy-adam.ts, src/train/row-optimizer.ts):
// the step against hand-computed values, rows touched and untouched; against
// tfjs's dense Adam when every row is touched; and a sampled batch's row
// gradients (core/meta rowSparseStep) against metaStep's catalog-sized ones.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itemInputs, disposeInputs } from '../../../src/core/features';
import { metaStep, rowSparseStep, type MetaConfig } from '../../../src/core/meta';
import { ITEM_ROW_NAMES, initParams, PARAM_NAMES, type ItemRowName, type MetaParams } from '../../../src/core/params';
import { gatherTableRows, lazyAdamStep, rowAdamState, tfjsAdam } from '../../../src/math/lazy-adam';
import { createRng } from '../../../src/math/rng';
import { negativeSampler } from '../../../src/train/negatives';
import { rowOptimizer } from '../../../src/train/row-optimizer';
import { disposeTasks, sampleTasks } from '../../../src/train/tasks';
import { asVariables, relativeDifference } from './torch-bridge';
import { trainingFixture } from './torch-fixture';

const LR = 0.01;
const S = tfjsAdam(LR);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('lazyAdamStep', () => {
  it('moves the touched rows by hand-computed amounts and leaves the others bit for bit', () => {
    // 4 rows of 2; step 1 touches rows 0 and 2, step 2 rows 2 and 3.
    const start = Float32Array.of(1, -1, 2, -2, 3, -3, 4, -4);
    const state = rowAdamState(start.slice(), 2);
    lazyAdamStep(state, [0, 2], [0.5, -2, 4, 0], 1, S);
    // t = 1: m̂ = g, v̂ = g², so each coordinate moves by lr · g / (|g| + ε): −lr·sign(g) (and 0 where g = 0).
    expect(Array.from(state.values)).toEqual(Array.from(Float32Array.of(1 - LR, -1 + LR, 2, -2, 3 - LR, -3, 4, -4)));
    expect(Array.from(state.m)).toEqual(Array.from(Float32Array.of(0.05, -0.2, 0, 0, 0.4, 0, 0, 0)));
    expect(Array.from(state.v)).toEqual(Array.from(Float32Array.of(0.00025, 0.004, 0, 0, 0.016, 0, 0, 0)));
    lazyAdamStep(state, [2, 3], [4, 1, -3, 0], 2, S);
    // Row 2, coordinate 0, touched twice with g = 4: m = 0.9·0.4 + 0.1·4 = 0.76, v = 0.999·0.016 + 0.001·16 = 0.031984;
    // m̂ = 0.76 / 0.19 = 4, v̂ = 0.031984 / 0.001999 = 16: it moves by lr again.
    expect(state.values[4]).toBeCloseTo(3 - 2 * LR, 6);
    // Row 2, coordinate 1: g = 0 then 1: m = 0.1, v = 0.001, m̂ = 0.1/0.19 = 0.526316, v̂ = 0.001/0.001999 = 0.500250: lr · 0.526316 / 0.707284.
    expect(state.values[5]).toBeCloseTo(-3 - LR * 0.744136, 6);
    // Row 3, first touched at t = 2 (global step): the same ratio, 0.744 lr, not lr.
    expect(state.values[6]).toBeCloseTo(4 + LR * 0.744136, 6);
    expect(state.values[7]).toBe(-4);
    // Rows 0 and 1 were not touched at step 2: values and moments as after step 1.
    expect(Array.from(state.values.subarray(0, 4))).toEqual(Array.from(Float32Array.of(1 - LR, -1 + LR, 2, -2)));
    expect(Array.from(state.m.subarray(0, 4))).toEqual(Array.from(Float32Array.of(0.05, -0.2, 0, 0)));
    expect(Array.from(state.v.subarray(0, 4))).toEqual(Array.from(Float32Array.of(0.00025, 0.004, 0, 0)));
  });

  it('is tfjs Adam when every row is touched at every step', async () => {
    const rng = createRng('lazy-adam-dense');
    const rows = 5;
    const width = 3;
    const values = Float32Array.from({ length: rows * width }, () => rng.next() - 0.5);
    const state = rowAdamState(values.slice(), width);
    const v = tf.variable(tf.tensor2d(values, [rows, width]), true, `lazy-adam-dense-${Math.random()}`);
    const adam = tf.train.adam(LR);
    for (let t = 1; t <= 4; t++) {
      const g = Float32Array.from({ length: rows * width }, () => rng.next() * 2 - 1);
      lazyAdamStep(state, [0, 1, 2, 3, 4], g, t, S);
      const grad = tf.tensor2d(g, [rows, width]);
      adam.applyGradients([{ name: v.name, tensor: grad }]);
      grad.dispose();
    }
    expect(relativeDifference(state.values, await v.data())).toBeLessThan(1e-6);
    adam.dispose();
    v.dispose();
  });

  it('names the bad value', () => {
    const state = rowAdamState(new Float32Array(4), 2);
    expect(() => lazyAdamStep(state, [2], [1, 1], 1, S)).toThrow(/row 2, outside the table's 2 rows/);
    expect(() => lazyAdamStep(state, [0], [1], 1, S)).toThrow(/1 gradient values for 1 rows of 2/);
    expect(() => lazyAdamStep(state, [0], [1, 1], 0, S)).toThrow(/≥ 1, got 0/);
    expect(() => rowAdamState(new Float32Array(5), 2)).toThrow(/5 values cannot have rows of 2/);
  });
});

describe('a sampled batch stepped on its candidates\' rows', () => {
  const f = trainingFixture();
  const config: MetaConfig = { algorithm: 'maml', innerSteps: 2, learnRates: true, weightDecay: 3e-3, neighbours: false, recency: false, transitions: false };
  const drawn = Int32Array.of(27, 28, 28, 3);
  const batchOf = () =>
    sampleTasks(f.train, f.items, 6, createRng('lazy-adam-batch'), { sampling: { sampler: negativeSampler(f.counts, drawn.length), rng: createRng('unused'), drawn }, itemSide: f });
  const owned: tf.Tensor[] = [];
  afterEach(() => {
    tf.dispose(owned.splice(0));
  });

  it('gets the rows of metaStep\'s gradients, zeros elsewhere, and the same dense gradients and loss', async () => {
    const before = tf.memory().numTensors;
    const params = initParams(f.shape, { seed: 4, scale: 0.3, innerLr: 0.5 });
    const vars = asVariables(params, 'lazy-rows');
    const inputs = itemInputs(f.features, f.warm, f.logPop);
    const batch = batchOf();
    const ids = Array.from(await batch.candidates!.ids.data());
    expect(ids.length).toBeLessThan(f.items);
    const full = metaStep(vars, inputs, batch, config);
    const rows = Object.fromEntries(ITEM_ROW_NAMES.map((n) => [n, tf.gather(vars[n], ids)])) as Record<ItemRowName, tf.Tensor>;
    const sparse = rowSparseStep(vars, rows, inputs, batch, config);
    expect(Math.abs((await sparse.loss.data())[0]! - (await full.loss.data())[0]!)).toBeLessThan(1e-6);
    expect(Object.keys(sparse.grads).sort()).toEqual(Object.keys(full.grads).filter((n) => full.grads[n as keyof typeof full.grads]).sort());
    for (const n of PARAM_NAMES) {
      const g = full.grads[n];
      if (!g) continue;
      if (!(ITEM_ROW_NAMES as readonly string[]).includes(n)) {
        expect(relativeDifference(await sparse.grads[n]!.data(), await g.data()), n).toBeLessThan(1e-5);
        continue;
      }
      const width = g.rank === 1 ? 1 : g.shape[1]!;
      const dense = (await g.data()) as Float32Array;
      expect(relativeDifference(await sparse.grads[n]!.data(), gatherTableRows(dense, width, ids)), n).toBeLessThan(1e-5);
      // Off the candidates, the sampled batch's gradient is zero: its L2 covers the candidates' rows alone.
      const off = Array.from({ length: f.items }, (_, i) => i).filter((i) => !ids.includes(i));
      expect(Math.max(...gatherTableRows(dense, width, off).map(Math.abs)), n).toBe(0);
    }
    tf.dispose([full.loss, sparse.loss, ...Object.values(full.grads), ...Object.values(sparse.grads), ...Object.values(rows)]);
    disposeTasks(batch);
    disposeInputs(inputs);
    tf.dispose([...Object.values(vars), ...Object.values(params)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves the full-catalog path as it was: its L2 covers every row, and the lazy optimizer refuses its batches', async () => {
    const params = initParams(f.shape, { seed: 7, scale: 0.3, innerLr: 0.5 });
    const vars = asVariables(params, 'lazy-full');
    const inputs = itemInputs(f.features, f.warm, f.logPop);
    const batch = sampleTasks(f.train, f.items, 6, createRng('lazy-full'), {});
    expect(batch.candidates).toBeUndefined();
    const { loss, grads } = metaStep(vars, inputs, batch, config);
    // Item 29 is in no training list (cold, no id embedding in its score): its gradient is the L2's alone, 2·λ·x, as before lazy Adam.
    const emb = (await vars.itemEmb.data()) as Float32Array;
    const g = (await grads.itemEmb!.data()) as Float32Array;
    const row = 29 * f.shape.dim;
    for (let d = 0; d < f.shape.dim; d++) expect(g[row + d]).toBeCloseTo(2 * 3e-3 * emb[row + d]!, 7);
    expect(emb.subarray(row, row + f.shape.dim).some((x) => x !== 0)).toBe(true);
    const lazy = await rowOptimizer(vars, LR);
    await expect(lazy.step(inputs, batch, config)).rejects.toThrow(/sampled batches only/);
    lazy.dispose();
    tf.dispose([loss, ...Object.values(grads)]);
    disposeTasks(batch);
    disposeInputs(inputs);
    tf.dispose([...Object.values(vars), ...Object.values(params)]);
  });

  it('rowOptimizer: Adam on the dense parameters, lazy Adam on the candidates\' rows, the rest untouched', async () => {
    const params = initParams(f.shape, { seed: 5, scale: 0.3, innerLr: 0.5 });
    const start: Record<string, Float32Array> = {};
    for (const n of PARAM_NAMES) start[n] = (await params[n].data()) as Float32Array;
    const vars = asVariables(params, 'lazy-opt');
    const reference = asVariables(params, 'lazy-ref');
    const inputs = itemInputs(f.features, f.warm, f.logPop);
    const lazy = await rowOptimizer(vars, LR);
    const adam = tf.train.adam(LR);
    const tables = Object.fromEntries(ITEM_ROW_NAMES.map((n) => [n, rowAdamState(start[n]!.slice(), params[n].rank === 1 ? 1 : f.shape.dim)]));
    let touched: number[] = [];
    for (let t = 1; t <= 3; t++) {
      const batch = sampleTasks(f.train, f.items, 6, createRng(`lazy-opt-${t}`), { sampling: { sampler: negativeSampler(f.counts, 4), rng: createRng('unused'), drawn: Int32Array.of(t, 20 + t, 28) }, itemSide: f });
      const ids = Array.from(await batch.candidates!.ids.data());
      touched = [...new Set([...touched, ...ids])];
      // The reference: metaStep's catalog-sized gradients, Adam on the dense ones, lazyAdamStep on the rows at the candidates.
      const { loss, grads } = metaStep(reference, inputs, batch, config);
      adam.applyGradients(Object.entries(grads).filter(([n, g]) => g && !(ITEM_ROW_NAMES as readonly string[]).includes(n)).map(([n, g]) => ({ name: (reference[n as keyof MetaParams] as tf.Variable).name, tensor: g! })));
      for (const n of ITEM_ROW_NAMES) {
        lazyAdamStep(tables[n]!, ids, gatherTableRows((await grads[n]!.data()) as Float32Array, tables[n]!.width, ids), t, S);
        tf.tidy(() => (reference[n] as tf.Variable).assign(tf.tensor(tables[n]!.values, reference[n].shape)));
      }
      const value = await lazy.step(inputs, batch, config);
      expect(Math.abs(value - (await loss.data())[0]!)).toBeLessThan(1e-6);
      tf.dispose([loss, ...Object.values(grads)]);
      disposeTasks(batch);
    }
    expect(lazy.steps).toBe(3);
    expect(touched.length).toBeLessThan(f.items);
    lazy.sync();
    for (const n of PARAM_NAMES) {
      const ours = (await vars[n].data()) as Float32Array;
      const theirs = (ITEM_ROW_NAMES as readonly string[]).includes(n) ? tables[n]!.values : ((await reference[n].data()) as Float32Array);
      expect(relativeDifference(ours, theirs), n).toBeLessThan(1e-5);
    }
    // Rows no batch drew are exactly the start's.
    for (const n of ITEM_ROW_NAMES) {
      const width = params[n].rank === 1 ? 1 : f.shape.dim;
      const never = Array.from({ length: f.items }, (_, i) => i).filter((i) => !touched.includes(i));
      expect(never.length, n).toBeGreaterThan(0);
      expect(Array.from(gatherTableRows((await vars[n].data()) as Float32Array, width, never))).toEqual(Array.from(gatherTableRows(start[n]!, width, never)));
    }
    lazy.dispose();
    adam.dispose();
    disposeInputs(inputs);
    tf.dispose([...Object.values(vars), ...Object.values(reference), ...Object.values(params)]);
  });
});
