import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../../src/artifact/encode';
import { trainIals } from '../../../src/math/ials';
import { transpose, userItemMatrix } from '../../../src/math/sparse';
import { featureMatrix, featureVocabulary, itemInputs, logPopularity } from '../../../src/core/features';
import { META_ALGORITHMS, metaStep, trainableNames, type MetaAlgorithm, type TaskBatch } from '../../../src/core/meta';
import type { ItemInputs } from '../../../src/core/types';
import { initParams, PARAM_NAMES, toArrays, type MetaParams, type ModelShape } from '../../../src/core/params';
import { createRng } from '../../../src/math/rng';
import { buildNeighbours, leaveOneOutRow } from '../../../src/train/neighbours';
import { pooledLoss } from '../../../src/train/pretrain';
import { disposeTasks, normalizedRows, taskBatch } from '../../../src/train/tasks';
import { tinyModel, tinyTasks } from '../core/fixture';
import { askTorch, feedbackJson, modelJson, relativeDifference, torchUnavailable } from './torch-bridge';

// The PyTorch trainer (trainer/) must optimise exactly what the TypeScript trainer
// does: on fixed parameters and a fixed batch, the meta-losses and meta-gradients
// of every algorithm agree to relative 1e-4 (PyTorch computes in float64 from the
// same float32 values; what remains is tfjs's float32 rounding).
const unavailable = torchUnavailable();
if (unavailable) console.warn(`[torch-equivalence] skipped: ${unavailable}`);

const TOLERANCE = 1e-4;

interface TorchGrads {
  readonly loss: number;
  readonly grads: Record<string, number[]>;
}

function asVariables(params: MetaParams, tag: string): MetaParams {
  const out = {} as MetaParams;
  for (const n of PARAM_NAMES) out[n] = tf.variable(params[n], true, `${tag}-${Math.random()}/${n}`);
  return out;
}

/** TypeScript's loss and gradients, the largest relative difference to PyTorch's, per parameter. */
async function compare(vars: MetaParams, inputs: ItemInputs, batch: TaskBatch, algorithm: MetaAlgorithm, theirs: TorchGrads) {
  const config = { algorithm, innerSteps: 2, learnRates: true, weightDecay: 3e-3, neighbours: true } as const;
  const { loss, grads } = metaStep(vars, inputs, batch, config);
  const ours = (await loss.data())[0]!;
  const worst = { name: 'loss', diff: Math.abs(ours - theirs.loss) / Math.abs(theirs.loss) };
  // The same parameters get gradients (Reptile's objective never reaches logKnnInit: neither side trains it).
  const names = Object.keys(grads).filter((n) => grads[n as keyof typeof grads] !== undefined);
  expect(names.sort(), algorithm).toEqual(Object.keys(theirs.grads).sort());
  for (const name of names) {
    const diff = relativeDifference(await grads[name as keyof typeof grads]!.data(), theirs.grads[name]!);
    if (diff > worst.diff) Object.assign(worst, { name, diff });
  }
  tf.dispose([loss, ...Object.values(grads)]);
  return { trainable: trainableNames(config), worst };
}

/** A small training set: 40 users over 30 items with tags, protocol-ordered lists. */
function trainingFixture() {
  const rng = createRng('torch-equivalence');
  const items = 30;
  const tags = Array.from({ length: items }, (_, i) => ['red', 'green', 'blue', 'big', 'small'].filter(() => rng.next() < 0.4).concat(i % 7 === 0 ? ['rare'] : []));
  const train = Array.from({ length: 40 }, () => Int32Array.from(new Set(Array.from({ length: 3 + rng.int(9) }, () => rng.int(items - 3)))));
  const names = featureVocabulary(tags);
  const features = featureMatrix(tags, names);
  const counts = new Float32Array(items);
  for (const u of train) for (const i of u) counts[i]! += 1;
  const warm = counts.map((c) => (c > 0 ? 1 : 0));
  const shape: ModelShape = { items, features: names.length, dim: 6 };
  const picks = [0, 3, 5, 11, 17, 29];
  const supports = picks.map((u, b) => train[u]!.subarray(0, Math.min([1, 2, 3, 5, 1, 2][b]!, train[u]!.length - 1)));
  const queries = picks.map((u, b) => train[u]!.subarray(supports[b]!.length));
  return { items, tags, train, names, features, warm, logPop: logPopularity(counts), shape, picks, supports, queries };
}

describe.skipIf(unavailable !== null)(`TypeScript and PyTorch agree (${unavailable ?? 'torch found'})`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('on the meta-losses and meta-gradients of every algorithm, with impressions, exclusions and neighbour rows', async () => {
    const { shape, params, inputs } = tinyModel();
    const batch = tinyTasks();
    const model = await modelJson(shape, params, (await inputs.features.data()) as Float32Array, await inputs.warm.data(), await inputs.logPop.data());
    const json = { support: await feedbackJson(batch.support), query: await feedbackJson(batch.query) };
    const report: string[] = [];
    const configOf = (algorithm: MetaAlgorithm) => ({ algorithm, innerSteps: 2, learnRates: true, weightDecay: 3e-3, neighbours: true });
    const answers = await askTorch<TorchGrads[]>({ requests: META_ALGORITHMS.map((a) => ({ kind: 'meta', ...model, batch: json, config: configOf(a) })) });
    for (const [a, algorithm] of META_ALGORITHMS.entries()) {
      const theirs = answers[a]!;
      const vars = asVariables(params, algorithm);
      const { worst } = await compare(vars, inputs, batch, algorithm, theirs);
      report.push(`${algorithm} ${worst.diff.toExponential(2)} (${worst.name})`);
      expect(worst.diff, `${algorithm}: ${worst.name}`).toBeLessThan(TOLERANCE);
      for (const n of PARAM_NAMES) vars[n].dispose();
    }
    console.log(`[torch-equivalence] largest relative difference, fixed batch: ${report.join('; ')}`);
  });

  it('on neighbour lists, leave-one-out rows and the meta-gradients of batches built from users\' lists', async () => {
    const f = trainingFixture();
    const params = initParams(f.shape, { seed: 5, scale: 0.3, innerLr: 0.5 });
    const inputs = itemInputs(f.features, f.names.length, f.warm, f.logPop);
    const index = buildNeighbours(f.train, f.items, 10, 10);
    const rows = new Float32Array(f.picks.length * f.items);
    f.picks.forEach((u, b) => leaveOneOutRow(index, f.supports[b]!, new Set(f.train[u]!), rows.subarray(b * f.items, (b + 1) * f.items)));
    const model = await modelJson(f.shape, params, f.features, f.warm, f.logPop);
    const request = { kind: 'lists', ...model, train: f.train.map((u) => Array.from(u)), m: 10, shrink: 10, supports: f.supports.map((s) => Array.from(s)), queries: f.queries.map((q) => Array.from(q)) };
    const report: string[] = [];
    const configOf = (algorithm: MetaAlgorithm) => ({ algorithm, innerSteps: 2, learnRates: true, weightDecay: 3e-3, neighbours: true });
    type Answer = TorchGrads & { neighbours: { ids: number[]; sims: number[]; co: number[] }; rows: number[] };
    const answers = await askTorch<Answer[]>({ requests: META_ALGORITHMS.map((a) => ({ ...request, config: configOf(a) })) });
    for (const [a, algorithm] of META_ALGORITHMS.entries()) {
      const theirs = answers[a]!;
      if (algorithm === 'maml') {
        expect(theirs.neighbours.ids).toEqual(Array.from(index.ids));
        expect(theirs.neighbours.co).toEqual(Array.from(index.co));
        expect(relativeDifference(theirs.neighbours.sims, index.sims)).toBeLessThan(1e-6);
        expect(relativeDifference(theirs.rows, rows)).toBeLessThan(1e-6);
      }
      const batch = taskBatch(f.supports, f.queries, f.items, rows);
      const vars = asVariables(params, `lists-${algorithm}`);
      const { worst } = await compare(vars, inputs, batch, algorithm, theirs);
      report.push(`${algorithm} ${worst.diff.toExponential(2)} (${worst.name})`);
      expect(worst.diff, `${algorithm}: ${worst.name}`).toBeLessThan(TOLERANCE);
      disposeTasks(batch);
      for (const n of PARAM_NAMES) vars[n].dispose();
    }
    console.log(`[torch-equivalence] largest relative difference, batches from lists: ${report.join('; ')}`);
    tf.dispose([inputs.features, inputs.warm, inputs.logPop, ...Object.values(params)]);
  });

  it('on the pooled pretraining loss and its gradients, for both weightings', async () => {
    const f = trainingFixture();
    const params = initParams(f.shape, { seed: 9, scale: 0.3, protoScale: 0 });
    const inputs = itemInputs(f.features, f.names.length, f.warm, f.logPop);
    const model = await modelJson(f.shape, params, f.features, f.warm, f.logPop);
    const tableValues = tf.randomNormal([f.train.length, f.shape.dim], 0, 0.2, 'float32', 4);
    const picks = [1, 4, 4, 9, 30];
    const table0 = await tableValues.array();
    const weightings = ['user', 'click'] as const;
    const answers = await askTorch<TorchGrads[]>({
      requests: weightings.map((weighting) => ({ kind: 'pooled', ...model, table: table0, picks, targets: picks.map((u) => Array.from(f.train[u]!)), weighting, weightDecay: 3e-3 })),
    });
    for (const [w, weighting] of weightings.entries()) {
      const theirs = answers[w]!;
      const shared = ['contentW', 'itemEmb', 'contentBias', 'itemBias', 'popInit', 'popWeight'] as const;
      const vars = Object.fromEntries(shared.map((n) => [n, tf.variable(params[n], true, `pooled-${weighting}-${n}`)]));
      const table = tf.variable(tableValues, true, `pooled-${weighting}-table`);
      const targets = tf.tensor2d(normalizedRows(picks.map((u) => f.train[u]!), f.items, weighting === 'user'), [picks.length, f.items]);
      const { value, grads } = tf.variableGrads(() =>
        pooledLoss({ ...params, ...vars } as MetaParams, inputs, tf.gather(table, picks) as tf.Tensor2D, targets, table, 3e-3),
      );
      const loss = (await value.data())[0]!;
      let worst = Math.abs(loss - theirs.loss) / Math.abs(theirs.loss);
      for (const n of shared) worst = Math.max(worst, relativeDifference(await grads[vars[n]!.name]!.data(), theirs.grads[n]!));
      worst = Math.max(worst, relativeDifference(await grads[table.name]!.data(), theirs.grads.table!));
      console.log(`[torch-equivalence] pooled pretraining (${weighting} weighting): largest relative difference ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(TOLERANCE);
      tf.dispose([value, targets, table, ...Object.values(grads), ...Object.values(vars)]);
    }
    tf.dispose([tableValues, inputs.features, inputs.warm, inputs.logPop, ...Object.values(params)]);
  });

  it('on the implicit-ALS factors of the ALS start (same seeded start, Woodbury and conjugate-gradient steps)', async () => {
    const f = trainingFixture();
    // long rows (conjugate gradient) and rare items (Woodbury) both occur here
    const userItems = userItemMatrix(f.train);
    const cfg = { dim: 5, alpha: 10, lambda: 3 };
    const ours = trainIals(userItems, transpose(userItems, f.items), cfg, { iterations: 10, cgSteps: 3, seed: 7 });
    const theirs = await askTorch<{ factors: number[] }>({ kind: 'ials', train: f.train.map((u) => Array.from(u)), items: f.items, ...cfg, iterations: 10, cgSteps: 3, seed: 7 });
    const diff = relativeDifference(theirs.factors, ours);
    console.log(`[torch-equivalence] implicit ALS factors: largest relative difference ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-9);
  });

  it('writes the same artifact bytes from the same inputs', async () => {
    const f = trainingFixture();
    const params = initParams(f.shape, { seed: 2, scale: 0.3, innerLr: 0.37 });
    const index = buildNeighbours(f.train, f.items, 4, 10);
    const neighbours = { m: index.m, ids: index.ids, sims: index.sims };
    const catalog = f.tags.map((tags, i) => ({ id: `item-${i}`, title: `Ïtem "${i}"\n`, tags }));
    const input = {
      algorithm: 'maml',
      warm: f.warm,
      logPop: f.logPop,
      featureNames: f.names,
      steps: 2,
      negativeWeight: 0.5,
      training: { engine: 'pytorch', dim: 6, metaLr: 0.03, weightDecay: 3e-3, validationKs: [1, 3, 5], start: { chosen: 'als', als: { head: { knn: 2, pop: 0, innerLr: 0.01, lambda: 1000 }, validation: 0.123456789 } } },
      data: { name: 'fixture', fingerprint: 'f'.repeat(64), users: 40, items: f.items, interactions: 1234 },
      validation: { objective: 'mean nDCG@10 over k in {1,3,5}', ndcg10: 0.4817263, byK: { 1: 0.5, 3: 1e-7, 5: 0.30000000000000004 }, users: 7 },
    };
    const ours = await encodeArtifact({ ...input, params, neighbours, catalog });
    const arrays = await toArrays(params);
    const theirs = await askTorch<{ files: Record<string, string> }>({
      kind: 'encode',
      input: {
        ...input,
        warm: Array.from(f.warm),
        logPop: Array.from(f.logPop),
        arrays: Object.fromEntries(PARAM_NAMES.map((n) => [n, Array.from(arrays[n])])),
        neighbours: { m: neighbours.m, ids: Array.from(neighbours.ids), sims: Array.from(neighbours.sims) },
        catalog: JSON.stringify({ items: catalog }),
        items: f.items,
      },
    });
    expect(Object.keys(theirs.files)).toEqual(Object.keys(ours));
    for (const [name, bytes] of Object.entries(ours)) {
      const other = Buffer.from(theirs.files[name]!, 'base64');
      if (name.endsWith('.json')) expect(other.toString('utf8'), name).toBe(new TextDecoder().decode(bytes));
      expect(Buffer.compare(other, Buffer.from(bytes)), name).toBe(0);
    }
    tf.dispose(Object.values(params));
  });
});
