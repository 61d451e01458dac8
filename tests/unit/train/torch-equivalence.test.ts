import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeArtifact } from '../../../src/artifact/encode';
import { trainIals } from '../../../src/math/ials';
import { transpose, userItemMatrix } from '../../../src/math/sparse';
import { disposeInputs, itemInputs } from '../../../src/core/features';
import { META_ALGORITHMS, type MetaAlgorithm, type MetaConfig, type TaskBatch } from '../../../src/core/meta';
import { decayLogit, initParams, PARAM_NAMES, toArrays, type MetaParams } from '../../../src/core/params';
import { buildNeighbours } from '../../../src/train/neighbours';
import { buildTransitions } from '../../../src/train/transitions';
import { pooledLoss } from '../../../src/train/pretrain';
import { normalizedRows } from '../../../src/train/tasks';
import { orderSupport, tinyModel, tinyTasks } from '../core/fixture';
import { trainingFixture } from './torch-fixture';
import { askTorch, asVariables, compare, feedbackJson, modelJson, relativeDifference, torchUnavailable, type TorchGrads } from './torch-bridge';

// The PyTorch trainer (trainer/) must optimise exactly what the TypeScript trainer
// does: on fixed parameters and a fixed batch, the meta-losses and meta-gradients
// of every algorithm agree to relative 1e-4 (PyTorch computes in float64 from the
// same float32 values; what remains is tfjs's float32 rounding).
const unavailable = torchUnavailable();
if (unavailable) console.warn(`[torch-equivalence] skipped: ${unavailable}`);

const TOLERANCE = 1e-4;

/** Every algorithm's loss and gradients on one batch, TypeScript against PyTorch. */
async function compareEveryAlgorithm(label: string, params: MetaParams, batch: TaskBatch, lists: Pick<MetaConfig, 'neighbours' | 'recency' | 'transitions'>) {
  const { shape, inputs, features } = tinyModel();
  const model = await modelJson(shape, params, features, await inputs.warm.data(), await inputs.logPop.data());
  const json = { support: await feedbackJson(batch.support), query: await feedbackJson(batch.query) };
  const configOf = (algorithm: MetaAlgorithm): MetaConfig => ({ algorithm, innerSteps: 2, learnRates: true, weightDecay: 3e-3, ...lists });
  const answers = await askTorch<TorchGrads[]>({ requests: META_ALGORITHMS.map((a) => ({ kind: 'meta', ...model, batch: json, config: configOf(a) })) });
  const report: string[] = [];
  for (const [a, algorithm] of META_ALGORITHMS.entries()) {
    const vars = asVariables(params, algorithm);
    const { worst } = await compare(vars, inputs, batch, configOf(algorithm), answers[a]!);
    report.push(`${algorithm} ${worst.diff.toExponential(2)} (${worst.name})`);
    expect(worst.diff, `${algorithm}: ${worst.name}`).toBeLessThan(TOLERANCE);
    for (const n of PARAM_NAMES) vars[n].dispose();
  }
  console.log(`[torch-equivalence] largest relative difference, ${label}: ${report.join('; ')}`);
}

describe.skipIf(unavailable !== null)(`TypeScript and PyTorch agree (${unavailable ?? 'torch found'})`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('on the meta-losses and meta-gradients of every algorithm, with impressions, exclusions and neighbour rows', async () => {
    const { params } = tinyModel();
    await compareEveryAlgorithm('fixed batch', params, tinyTasks(), { neighbours: true });
  });

  it('on the meta-losses and meta-gradients of every algorithm with the recency decay and the sequential term', async () => {
    const { params } = tinyModel();
    params.logitDecay.dispose();
    params.logitDecay = tf.tensor1d([decayLogit(0.6)]);
    await compareEveryAlgorithm('decay and transitions', params, { support: orderSupport(0.6, true), query: tinyTasks().query }, { neighbours: true, recency: true, transitions: true });
  });

  it('on the pooled pretraining loss and its gradients, for both weightings', async () => {
    const f = trainingFixture();
    const params = initParams(f.shape, { seed: 9, scale: 0.3, protoScale: 0 });
    const inputs = itemInputs(f.features, f.warm, f.logPop);
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
    disposeInputs(inputs);
    tf.dispose([tableValues, ...Object.values(params)]);
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

  it('writes the same artifact bytes from the same inputs, transition lists included', async () => {
    const f = trainingFixture();
    const params = initParams(f.shape, { seed: 2, scale: 0.3, innerLr: 0.37 });
    const index = buildNeighbours(f.train, f.items, 4, 10);
    const neighbours = { m: index.m, ids: index.ids, sims: index.sims };
    const next = buildTransitions(f.train, f.items, 3, 5);
    const transitions = { m: next.m, ids: next.ids, sims: next.sims };
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
      validation: { objective: 'mean of protocol v1\'s nDCG@10 over k in {1,3,5} and protocol v2\'s HR@10', score: 0.4817263, byK: { 1: 0.5, 3: 1e-7, 5: 0.30000000000000004 }, users: 7 },
    };
    const ours = await encodeArtifact({ ...input, params, neighbours, transitions, catalog });
    const arrays = await toArrays(params);
    const theirs = await askTorch<{ files: Record<string, string> }>({
      kind: 'encode',
      input: {
        ...input,
        warm: Array.from(f.warm),
        logPop: Array.from(f.logPop),
        arrays: Object.fromEntries(PARAM_NAMES.map((n) => [n, Array.from(arrays[n])])),
        neighbours: { m: neighbours.m, ids: Array.from(neighbours.ids), sims: Array.from(neighbours.sims) },
        transitions: { m: transitions.m, ids: Array.from(transitions.ids), sims: Array.from(transitions.sims) },
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
