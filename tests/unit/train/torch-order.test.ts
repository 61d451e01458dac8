import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeInputs, itemInputs } from '../../../src/core/features';
import { META_ALGORITHMS, type MetaAlgorithm, type MetaConfig, type TaskBatch } from '../../../src/core/meta';
import { decayLogit, disposeParams, fromArrays, initParams, PARAM_NAMES, toArrays, type InitOptions, type MetaParams } from '../../../src/core/params';
import { recencyWeights } from '../../../src/core/recency';
import { seqWeights } from '../../../src/core/transitions';
import { DEFAULT_TRAIN_CONFIG, type ValidationObjective } from '../../../src/train/config';
import { adaptedScores } from '../../../src/train/episodes';
import { chooseItemLists } from '../../../src/train/list-search';
import { buildNeighbours, leaveOneOutRow, type TrainingNeighbours } from '../../../src/train/neighbours';
import { disposeTasks, taskBatch, weightedRows } from '../../../src/train/tasks';
import { buildTransitions, leaveOneOutTransitionRow, ownTransitions, type TrainingTransitions } from '../../../src/train/transitions';
import { validate } from '../../../src/train/validate';
import { askTorch, compare, modelJson, relativeDifference, torchUnavailable, type TorchGrads } from './torch-bridge';
import { trainingFixture } from './torch-fixture';

// The order-aware model of issue 16 in both trainers: transition lists and leave-one-out
// rows (with their derivatives in the recency decay), the meta-gradients of batches built
// from them, the item-list search and the objective-based validation.
const unavailable = torchUnavailable();
if (unavailable) console.warn(`[torch-order] skipped: ${unavailable}`);

const TOLERANCE = 1e-4;
const DECAY = 0.7;

/** sampleTasks' body for explicit lists: recency weights, leave-one-out rows and their derivatives (src/train/tasks.ts). */
function listTasks(items: number, supports: Int32Array[], queries: Int32Array[], owners: Int32Array[], index: TrainingNeighbours, next: TrainingTransitions): TaskBatch {
  const rec = supports.map((s) => recencyWeights(s.length, DECAY));
  const seq = supports.map((s) => seqWeights(s.length, DECAY));
  const slice = (out: Float32Array, b: number) => out.subarray(b * items, (b + 1) * items);
  const knn = (pick: 'weights' | 'dDecay') => {
    const out = new Float32Array(supports.length * items);
    supports.forEach((s, b) => leaveOneOutRow(index, s, new Set(owners[b]!), slice(out, b), rec[b]![pick]));
    return out;
  };
  const trans = (pick: 'weights' | 'dDecay') => {
    const out = new Float32Array(supports.length * items);
    supports.forEach((s, b) => leaveOneOutTransitionRow(next, s, ownTransitions(owners[b]!), seq[b]![pick], slice(out, b)));
    return out;
  };
  const batch = taskBatch(supports, queries, items, knn('weights'), rec.map((w) => w.weights));
  const shape: [number, number] = [supports.length, items];
  return {
    query: batch.query,
    support: {
      ...batch.support,
      transitions: tf.tensor2d(trans('weights'), shape),
      decayAt: tf.tensor2d([DECAY], [1, 1]),
      positivesDecay: tf.tensor2d(weightedRows(supports, rec.map((w) => w.dDecay), items), shape),
      neighboursDecay: tf.tensor2d(knn('dDecay'), shape),
      transitionsDecay: tf.tensor2d(trans('dDecay'), shape),
    },
  };
}

/**
 * What the validation and head-search comparisons share: a model of the
 * training fixture with both item lists (6 neighbours, shrink 10; 4
 * successors, shrink 5), 16 validation users (the first training users), and
 * the same as JSON for a PyTorch request.
 */
async function listsModel(init: InitOptions) {
  const f = trainingFixture();
  const params = initParams(f.shape, init);
  const inputs = itemInputs(f.features, f.warm, f.logPop);
  const index = buildNeighbours(f.train, f.items, 6, 10);
  const next = buildTransitions(f.train, f.items, 4, 5);
  const lists = { neighbours: { m: index.m, ids: index.ids, sims: index.sims }, transitions: { m: next.m, ids: next.ids, sims: next.sims } };
  const users = f.train.slice(0, 16).map((items, u) => ({ user: `v${u}`, items }));
  const json = (l: { m: number; ids: Int32Array; sims: Float32Array }) => ({ m: l.m, ids: Array.from(l.ids), sims: Array.from(l.sims) });
  const request = { ...(await modelJson(f.shape, params, f.features, f.warm, f.logPop)), neighbours: json(lists.neighbours), transitions: json(lists.transitions), users: users.map((u) => Array.from(u.items)) };
  const dispose = () => {
    disposeInputs(inputs);
    tf.dispose(Object.values(params));
  };
  return { f, params, inputs, lists, users, request, dispose };
}

describe.skipIf(unavailable !== null)(`TypeScript and PyTorch agree on the order-aware model (${unavailable ?? 'torch found'})`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('on neighbour and transition lists, leave-one-out rows and their decay derivatives, and the meta-gradients of batches built from them', async () => {
    const f = trainingFixture();
    const params = initParams(f.shape, { seed: 5, scale: 0.3, innerLr: 0.5, decay: DECAY });
    const inputs = itemInputs(f.features, f.warm, f.logPop);
    const index = buildNeighbours(f.train, f.items, 10, 10);
    const next = buildTransitions(f.train, f.items, 4, 5);
    // v1 tasks (the first k, then the rest) and next-click tasks (any history, the one click that follows)
    const nextClick = [[7, 4], [21, 1], [33, 6]] as const;
    const owners = [...f.picks.map((u) => f.train[u]!), ...nextClick.map(([u]) => f.train[u]!)];
    const supports = [...f.supports, ...nextClick.map(([u, k]) => f.train[u]!.subarray(0, Math.min(k, f.train[u]!.length - 1)))];
    const queries = [...f.queries, ...nextClick.map(([u, k]) => f.train[u]!.subarray(Math.min(k, f.train[u]!.length - 1), Math.min(k, f.train[u]!.length - 1) + 1))];
    const model = await modelJson(f.shape, params, f.features, f.warm, f.logPop);
    const lists = (a: ArrayLike<number>[]) => a.map((s) => Array.from(s));
    const request = { kind: 'lists', ...model, train: lists(f.train), m: 10, shrink: 10, transitionsM: 4, transitionShrink: 5, supports: lists(supports), queries: lists(queries), histories: lists(owners), decay: DECAY };
    const configOf = (algorithm: MetaAlgorithm): MetaConfig => ({ algorithm, innerSteps: 2, learnRates: true, weightDecay: 3e-3, neighbours: true, recency: true, transitions: true });
    type Answer = TorchGrads & { neighbours: { ids: number[]; sims: number[]; co: number[] }; transitions: { ids: number[]; sims: number[]; co: number[]; out: number[] }; rows: Record<string, number[]> };
    const answers = await askTorch<Answer[]>({ requests: META_ALGORITHMS.map((a) => ({ ...request, config: configOf(a) })) });
    const theirs = answers[0]!;
    expect(theirs.neighbours.ids).toEqual(Array.from(index.ids));
    expect(theirs.neighbours.co).toEqual(Array.from(index.co));
    expect(relativeDifference(theirs.neighbours.sims, index.sims)).toBeLessThan(1e-6);
    expect(theirs.transitions.ids).toEqual(Array.from(next.ids));
    expect(theirs.transitions.co).toEqual(Array.from(next.co));
    expect(theirs.transitions.out).toEqual(Array.from(next.out));
    expect(relativeDifference(theirs.transitions.sims, next.sims)).toBeLessThan(1e-6);
    expect(next.ids.some((id) => id >= 0)).toBe(true);
    const batch = listTasks(f.items, supports, queries, owners, index, next);
    const ours: Record<string, tf.Tensor | undefined> = {
      positives: batch.support.positives,
      neighbours: batch.support.neighbours,
      transitions: batch.support.transitions,
      positives_decay: batch.support.positivesDecay,
      neighbours_decay: batch.support.neighboursDecay,
      transitions_decay: batch.support.transitionsDecay,
    };
    for (const [name, t] of Object.entries(ours)) {
      const values = await t!.data();
      expect(values.some((v) => v !== 0), name).toBe(true);
      expect(relativeDifference(theirs.rows[name]!, values), name).toBeLessThan(1e-6);
    }
    const report: string[] = [];
    for (const [a, algorithm] of META_ALGORITHMS.entries()) {
      const vars = {} as MetaParams;
      for (const n of PARAM_NAMES) vars[n] = tf.variable(params[n], true, `order-${algorithm}-${Math.random()}/${n}`);
      const { worst } = await compare(vars, inputs, batch, configOf(algorithm), answers[a]!);
      report.push(`${algorithm} ${worst.diff.toExponential(2)} (${worst.name})`);
      expect(worst.diff, `${algorithm}: ${worst.name}`).toBeLessThan(TOLERANCE);
      for (const n of PARAM_NAMES) vars[n].dispose();
    }
    console.log(`[torch-order] largest relative difference, batches from lists with decay and transitions: ${report.join('; ')}`);
    disposeTasks(batch);
    disposeInputs(inputs);
    tf.dispose(Object.values(params));
  });

  it('on the item-list search: the same trials and the same choice for every validation objective', async () => {
    const f = trainingFixture();
    // validation users: ordered lists of their own (long enough for every shot count the proxy asks)
    const validation = f.train.slice(0, 12).map((items, u) => ({ user: `v${u}`, items: Int32Array.from([...items, ...f.train[39 - u]!].filter((x, i, all) => all.indexOf(x) === i)) }));
    const objectives: ValidationObjective[] = ['v1', 'v2', 'both'];
    const settings = { neighbours: 8, transitions: 4, transitionShrink: 5, validationKs: [1, 3, 5] };
    const answers = await askTorch<{ trials: Record<string, number>[]; shrink: number | null; transitions: boolean }[]>({
      requests: objectives.map((objective) => ({ kind: 'itemLists', train: f.train.map((u) => Array.from(u)), validation: validation.map((u) => Array.from(u.items)), items: f.items, ...settings, ks: settings.validationKs, objective })),
    });
    for (const [o, objective] of objectives.entries()) {
      const ours = chooseItemLists(f.train, f.items, validation, { ...settings, objective });
      const theirs = answers[o]!;
      expect(theirs.trials.map((t) => Object.keys(t).sort())).toEqual(ours.trials.map((t) => Object.keys(t).sort()));
      ours.trials.forEach((t, i) => expect(theirs.trials[i]!.validation, `${objective} trial ${i}`).toBeCloseTo(t.validation, 12));
      expect(theirs.shrink).toBe(ours.neighbours?.shrink ?? null);
      expect(theirs.transitions).toBe(ours.transitions !== undefined);
      console.log(`[torch-order] item-list search (${objective}): ${ours.trials.map((t) => t.validation.toFixed(4)).join(' ')}; shrink ${ours.neighbours?.shrink}, transitions ${ours.transitions ? 'kept' : 'left out'}`);
    }
  });

  it('on the objective-based validation: the adapted scores with a learned decay and both item lists, and v1 / v2 / both', async () => {
    const { params, inputs, lists, users, request, dispose } = await listsModel({ seed: 8, scale: 0.4, innerLr: 0.6, decay: 0.75, seqInit: 1.5 });
    const objectives: ValidationObjective[] = ['v1', 'v2', 'both'];
    const ks = [1, 3];
    type Answer = { mean: number; byK: Record<string, number>; next: number | null; scores: number[] };
    const answers = await askTorch<Answer[]>({
      requests: objectives.map((objective) => ({ kind: 'validation', ...request, objective, ks, steps: 2 })),
    });
    const [scores] = await adaptedScores(params, inputs, users.map((u) => u.items), 2, 'last', lists);
    const flat = Float32Array.from(scores!.flatMap((s) => Array.from(s)));
    const diff = relativeDifference(flat, answers[0]!.scores);
    console.log(`[torch-order] adapted scores with decay 0.75 and both lists: largest relative difference ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(TOLERANCE);
    for (const [o, objective] of objectives.entries()) {
      const ours = await validate(params, inputs, users, { objective, validationKs: ks }, 2, lists);
      const theirs = answers[o]!;
      expect(theirs.mean, objective).toBeCloseTo(ours.mean, 9);
      expect(theirs.next ?? undefined, objective).toEqual(ours.next === undefined ? undefined : expect.closeTo(ours.next, 9));
      for (const [k, v] of Object.entries(ours.byK)) expect(theirs.byK[k], `${objective} k=${k}`).toBeCloseTo(v, 9);
      console.log(`[torch-order] validation ${objective}: TypeScript ${ours.mean.toFixed(6)}, PyTorch ${theirs.mean.toFixed(6)}`);
    }
    dispose();
  });

  it("on the pretrain baseline's head search: every head it tries scores the same, and the same head wins", async () => {
    const { f, params, inputs, lists, users, request, dispose } = await listsModel({ seed: 5, scale: 0.4, protoScale: 0 });
    const objectives: ValidationObjective[] = ['v2', 'v1'];
    type Head = { rate: number; knn: number; seq: number; decay: number };
    type Answer = { trials: { head: Head; mean: number }[]; head: Head; mean: number; arrays: Record<string, number[]> };
    const answers = await askTorch<Answer[]>({
      requests: objectives.map((objective) => ({ kind: 'head', ...request, objective, ks: [1, 3], steps: 2 })),
    });
    const arrays = await toArrays(params);
    // the per-visitor parameters a head sets, as trainPretrain's score() sets them (src/train/pretrain.ts)
    const tuned = (h: Head) => {
      const lr = Math.log(h.rate);
      return { ...arrays, logLrUser: new Float32Array(f.shape.dim).fill(lr), logLrPop: Float32Array.of(lr), logLrKnn: Float32Array.of(lr), logLrSeq: Float32Array.of(lr),
        logKnnInit: Float32Array.of(Math.log(Math.max(h.knn, 1e-12))), logSeqInit: Float32Array.of(Math.log(h.seq)), logitDecay: Float32Array.of(decayLogit(h.decay)) };
    };
    for (const [o, objective] of objectives.entries()) {
      const theirs = answers[o]!;
      // the stages: rates, item-item starts, sequential starts, and decays only for the next click
      expect(theirs.trials.some((t) => t.head.decay !== 1), objective).toBe(objective === 'v2');
      expect(new Set(theirs.trials.map((t) => t.head.seq)).size, objective).toBeGreaterThan(1);
      for (const t of theirs.trials) {
        const p = fromArrays(tuned(t.head), f.shape);
        const ours = await validate(p, inputs, users, { objective, validationKs: [1, 3] }, 2, lists);
        expect(t.mean, `${objective} ${JSON.stringify(t.head)}`).toBeCloseTo(ours.mean, 9);
        disposeParams(p);
      }
      const best = theirs.trials.reduce((a, t) => (t.mean > a.mean ? t : a));
      expect(theirs.head).toEqual(best.head);
      const mine = tuned(theirs.head);
      for (const [name, values] of Object.entries(theirs.arrays)) expect(values, name).toEqual(Array.from(mine[name as keyof typeof mine]));
      console.log(`[torch-order] pretrain head search (${objective}): ${theirs.trials.length} heads, chose ${JSON.stringify(theirs.head)} at ${theirs.mean.toFixed(4)}`);
    }
    dispose();
  });

  it('on the default training settings, in the same order (the artifact\'s training block starts with them)', async () => {
    const theirs = await askTorch<{ config: Record<string, unknown> }>({ kind: 'defaults' });
    expect(theirs.config).toEqual(DEFAULT_TRAIN_CONFIG);
    expect(Object.keys(theirs.config)).toEqual(Object.keys(DEFAULT_TRAIN_CONFIG));
    expect(decayLogit(0.9)).toBeCloseTo(Math.log(9), 12);
  });
});
