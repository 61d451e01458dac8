// Imported into the blank test page by tests/browser/wgsl-int8.test.ts: an
// int8 item table in format v2's layout exactly (codes rows × dim with dim
// padded to a multiple of 4 by zero codes, one float32 scale per row, 0 for an
// all-zero row, context at 15 levels, the prior as float32), handed to the
// WGSL kernel as it would be decoded, and the same clicks on core's host
// kernel over the float table those codes stand for.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { adapt } from '../../../src/core/adapt';
import { initialState, rank, type KernelChoice } from '../../../src/core/kernels';
import { initParams } from '../../../src/core/params';
import { decayOf } from '../../../src/core/recency';
import type { AdaptModel, Neighbours, UserState } from '../../../src/core/types';
import { adaptConstantsOf, dequantizeRows, wgslKernel, type Int8Rows, type QuantizedTable } from '../../../src/gpu';
import { createRng } from '../../../src/math/rng';
import { disposeState, stateNumbers, uploadKernel } from '../support/wgsl-kernel';

export interface Int8Case {
  readonly clicks: number[];
  readonly negatives: number[];
  readonly steps: number;
}

export interface Int8Outcome {
  readonly losses: number[];
  readonly user: number[];
  readonly pop: number;
  readonly knn: number;
  readonly seq: number;
  readonly top: number[];
  readonly scores: number[];
}

type Rng = ReturnType<typeof createRng>;

/** Rows as the format's encoder leaves them: `trained` columns of codes in [-levels, levels], then zero codes up to `dim`. */
function rows(rng: Rng, n: number, trained: number, dim: number, levels: number): Int8Rows {
  const codes = new Int8Array(n * dim);
  const scales = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (i === 3) continue; // an all-zero row: codes 0, scale 0
    scales[i] = Math.fround((0.2 + rng.next()) / levels);
    for (let d = 0; d < trained; d++) codes[i * dim + d] = rng.int(2 * levels + 1) - levels;
    codes[i * dim + rng.int(trained)] = rng.next() < 0.5 ? levels : -levels;
  }
  return { n, dim, codes, scales };
}

function lists(rng: Rng, n: number, m: number): Neighbours {
  const ids = new Int32Array(n * m).fill(-1);
  const sims = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < (i % 5 === 0 ? 1 : m); s++) {
      ids[i * m + s] = rng.int(n);
      sims[i * m + s] = Math.fround(rng.next());
    }
  }
  return { m, ids, sims };
}

/** The clicks on the WGSL kernel (int8 table) and on the host kernel (its float table), through core's driver. */
export async function int8AgainstHost(n: number, trainedDim: number, cases: readonly Int8Case[]) {
  await tf.setBackend('cpu');
  const dim = Math.ceil(trainedDim / 4) * 4;
  const rng = createRng(`int8-${n}-${trainedDim}`);
  const table: QuantizedTable = {
    format: 'int8',
    n,
    dim,
    vectors: rows(rng, n, trainedDim, dim, 127),
    context: rows(rng, n, trainedDim, dim, 15),
    bias: Float32Array.from({ length: n }, () => Math.fround(rng.normal() * 0.5)),
  };
  const params = initParams({ items: n, features: 2, dim }, { seed: 5, scale: 0.4, innerLr: 0.6, protoScale: 0.5, decay: 0.8, seqInit: 1.5, knnInit: 2 });
  // The padded coordinates of the per-visitor vectors are 0, as format v2 pads them.
  const padded = (t: tf.Tensor) => Float32Array.from(t.dataSync(), (v, d) => (d < trainedDim ? v : 0));
  for (const name of ['userInit', 'logLrUser'] as const) {
    const values = padded(params[name]);
    params[name].dispose();
    params[name] = tf.tensor1d(values);
  }
  const items = {
    vectors: tf.tensor2d(dequantizeRows(table.vectors), [n, dim]),
    context: tf.tensor2d(dequantizeRows(table.context!), [n, dim]),
    bias: tf.tensor1d(table.bias),
  };
  const neighbours = lists(rng, n, 4);
  const transitions = lists(rng, n, 3);
  const constants = await adaptConstantsOf(params);
  const model: AdaptModel = { params, items, neighbours, transitions, decay: decayOf(constants.logitDecay) };
  const { click } = await uploadKernel({ table, constants, neighbours, transitions });
  const kernel = wgslKernel(click, model, constants, { rankAhead: 20 });
  const run = async (c: Int8Case, choice: KernelChoice): Promise<Int8Outcome> => {
    const clicks = Int32Array.from(c.clicks);
    const start = initialState(model, clicks, choice);
    const out = await adapt(model, start, { clicks, negatives: Int32Array.from(c.negatives) }, { steps: c.steps, negativeWeight: 0.5, kernel: choice });
    const top = await rank(model.items, out.state, 20, clicks, choice);
    const result = { losses: out.steps.map((s) => s.loss), ...(await numbers(out.state)), top: Array.from(top.indices), scores: Array.from(top.scores) };
    disposeState(start);
    disposeState(out.state);
    return result;
  };
  try {
    const out = [];
    for (const c of cases) out.push({ gpu: await run(c, kernel), host: await run(c, 'host') });
    return { cases: out, format: click.format, bytes: table.vectors.codes.byteLength + table.context!.codes.byteLength };
  } finally {
    kernel.dispose();
  }
}

/** Both weights exist here (the model has both lists): NaN would fail every comparison. */
async function numbers(state: UserState) {
  const { knn, seq, ...rest } = await stateNumbers(state);
  return { ...rest, knn: knn ?? NaN, seq: seq ?? NaN };
}
