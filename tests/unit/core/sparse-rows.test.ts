// A click's item-item and sequential rows are built and held sparse (their
// non-zero entries only): the same numbers as the dense rows training builds
// (neighbourRow), so the same states and rankings, and no array as long as the
// catalog anywhere on a click's way through the host kernel.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adapt } from '../../../src/core/adapt';
import { clickSignals } from '../../../src/core/clicks';
import { quantizedAdaptModel, USER_PARAM_NAMES, type UserParams } from '../../../src/core/int8-model';
import { quantizeRows } from '../../../src/core/int8-rows';
import { encodeItemLists, type ItemLists } from '../../../src/core/item-lists';
import { initialState, kernelFor, rank, scoreAll } from '../../../src/core/kernels';
import { denseRow, neighbourOffset, neighbourRow } from '../../../src/core/neighbours';
import { initParams } from '../../../src/core/params';
import { recencyWeights } from '../../../src/core/recency';
import { deserializeState, disposeState, serializeState } from '../../../src/core/state';
import { seqWeights } from '../../../src/core/transitions';
import type { AdaptModel, Neighbours, SparseRow, UserState } from '../../../src/core/types';
import { createRng } from '../../../src/math/rng';
import { topK } from '../../../src/math/top-k';
import { randomLists } from '../../support/random-lists';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Encoded lists (format v2) of the same entries as `lists` (each row's items made distinct: the encoding needs it). */
function encoded(lists: Neighbours, items: number): ItemLists {
  return encodeItemLists(items, items, (r) => {
    const row = new Map<number, number>();
    for (let s = 0; s < lists.m && lists.ids[r * lists.m + s]! >= 0; s++) row.set(lists.ids[r * lists.m + s]!, lists.sims[r * lists.m + s]!);
    return { ids: [...row.keys()], weights: [...row.values()] };
  });
}

/** The dense row as the old click path held it, cut to its non-zero entries: what every kernel read of it. */
function nonZeroEntries(dense: Float32Array): SparseRow {
  const items = Int32Array.from([...dense.keys()].filter((i) => dense[i] !== 0));
  return { items, values: Float32Array.from(items, (i) => dense[i]!) };
}

const bits = (row: SparseRow) => ({ items: Array.from(row.items), values: Array.from(new Uint32Array(Float32Array.from(row.values).buffer)) });

describe('sparse click rows', () => {
  const items = 500;
  const padded = randomLists(items, 6, createRng('sparse-rows'));
  const clicks = Int32Array.of(3, 77, 3, 140, 499, 0, 77, 250);
  // Recency × rating weights with a zero rating, and the sequential row's (0 before the last 5 clicks).
  const rated = recencyWeights(clicks.length, 0.7).weights.map((w, j) => (j === 2 ? 0 : w));
  const weightings: Record<string, ArrayLike<number> | undefined> = { plain: undefined, recency: rated, sequential: seqWeights(clicks.length, 0.7).weights };

  for (const [format, lists] of [['padded', padded], ['encoded (format v2)', encoded(padded, items)]] as const) {
    for (const [name, weights] of Object.entries(weightings)) {
      it(`equal the dense row's non-zero entries bit for bit (${format} lists, ${name} weights)`, () => {
        const dense = neighbourRow(lists, clicks, new Float32Array(items), weights);
        const sparse = neighbourOffset(lists, clicks, weights);
        expect(sparse.items.length).toBeGreaterThan(10);
        expect(bits(sparse)).toEqual(bits(nonZeroEntries(dense)));
        expect(Array.from(denseRow(sparse, items))).toEqual(Array.from(dense));
      });
    }
  }

  it('are empty without clicks, and only list entries are read', () => {
    expect(neighbourOffset(padded, new Int32Array(0)).items.length).toBe(0);
    // A click of weight 0 contributes nothing, even where its list holds an item no other click lists.
    const only = neighbourOffset(padded, Int32Array.of(5, 6), [1, 0]);
    expect(Array.from(only.items)).toEqual(Array.from(nonZeroEntries(neighbourRow(padded, Int32Array.of(5), new Float32Array(items))).items));
  });
});

/** An int8 model (format v2, as the worker holds a 1M-item one) of `n` items, with neighbours and transitions. */
function int8Model(n: number): AdaptModel & { dispose(): void } {
  const dim = 16;
  const rng = createRng(`sparse-int8-${n}`);
  const params = initParams({ items: 1, features: 1, dim }, { seed: 5, scale: 0.5, innerLr: 0.5, protoScale: 0.8, knnInit: 1.5, decay: 0.7, seqInit: 0.6 });
  const user = Object.fromEntries(USER_PARAM_NAMES.map((name) => [name, params[name].dataSync() as Float32Array])) as UserParams;
  const lists = (m: number) => encodeItemLists(n, n, () => {
    const ids = new Set<number>();
    while (ids.size < m) ids.add(rng.int(n));
    return { ids: [...ids], weights: [...ids].map(() => 0.1 + rng.next()) };
  });
  const table = (scale: number) => quantizeRows(Float32Array.from({ length: n * dim }, () => rng.normal() * scale), n, dim);
  const model = quantizedAdaptModel({ items: { vectors: table(0.4), context: table(0.4), bias: Float32Array.from({ length: n }, () => rng.normal()) }, user, neighbours: lists(10), transitions: lists(3) });
  tf.dispose(Object.values(params));
  return model;
}

describe('a click on the host kernel with sparse rows', () => {
  it('scores and ranks as the dense rows say, and a restored state scores the same', async () => {
    const n = 3_000;
    const model = int8Model(n);
    const clicks = Int32Array.of(17, 2_900, 17, 640);
    const feedback = { clicks, negatives: Int32Array.of(5, 6) };
    const tensors = tf.memory().numTensors;
    const start = initialState(model, clicks);
    const out = await adapt(model, start, feedback, { steps: 2 });
    const saved = await serializeState(out.state);
    // The scores over the whole catalog, by hand from the state's numbers and the dense rows training builds.
    const signals = clickSignals(model, clicks, undefined, model.decay);
    const denseN = neighbourRow(model.neighbours!, clicks, new Float32Array(n), signals.weights);
    const denseT = neighbourRow(model.transitions!, clicks, new Float32Array(n), seqWeights(clicks.length, model.decay).weights);
    // Without the rows (new tensors: the kernel keeps the adapted state's own sweep by its user tensor).
    const bare = { user: out.state.user.clone(), pop: out.state.pop.clone() };
    const plain = await scoreAll(model.items, bare);
    disposeState(bare);
    const want = Float32Array.from(plain, (s, i) => s + saved.knn! * denseN[i]! + saved.seq! * denseT[i]!);
    const got = await scoreAll(model.items, out.state);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst).toBeLessThan(1e-5);
    expect(denseN.filter((v) => v !== 0).length).toBeGreaterThan(20);
    const top = await rank(model.items, out.state, 30, clicks);
    expect(Array.from(top.indices)).toEqual(Array.from(topK(got, 30, new Set(clicks)).indices));
    // Restored from the saved numbers, the rows rebuilt from the clicks: the same scores (to float rounding: the
    // adaptation's last sweep added both rows in one fused pass, a ranking sweep adds them one after the other).
    const restored = deserializeState(saved, 16, model, clicks);
    const again = await scoreAll(model.items, restored);
    for (let i = 0; i < n; i++) expect(Math.abs(again[i]! - got[i]!), `item ${i}`).toBeLessThan(1e-6);
    [start, out.state, restored].forEach(disposeState);
    expect(tf.memory().numTensors).toBe(tensors);
    model.dispose();
  });
});

// Every typed-array constructor (and ArrayBuffer's), wrapped to record the lengths asked of it: `new X(n)`, `X.from`,
// and the copies the arrays make of themselves (slice, map, filter: made through `constructor`, so that is wrapped too).
const TYPED = ['ArrayBuffer', 'Float32Array', 'Float64Array', 'Int32Array', 'Uint32Array', 'Int16Array', 'Uint16Array', 'Int8Array', 'Uint8Array'] as const;
type Constructor = (new (...args: unknown[]) => { readonly length?: number; readonly byteLength: number }) & { prototype: { constructor: unknown } };
const scope = globalThis as unknown as Record<string, Constructor>;
const originals = new Map<string, Constructor>();

/** Records the element count of every typed array (the byte count of every ArrayBuffer) made until `stopRecording`. */
function recordAllocations(): number[] {
  const lengths: number[] = [];
  for (const name of TYPED) {
    const original = scope[name]!;
    const recorded = new Proxy(original, {
      construct(target, args, newTarget) {
        const made = Reflect.construct(target, args, newTarget) as InstanceType<Constructor>;
        lengths.push(made.length ?? made.byteLength);
        return made;
      },
    });
    originals.set(name, original);
    scope[name] = recorded;
    original.prototype.constructor = recorded;
  }
  return lengths;
}

function stopRecording(): void {
  for (const [name, original] of originals) {
    scope[name] = original;
    original.prototype.constructor = original;
  }
  originals.clear();
}

afterEach(stopRecording);

describe('a click on the worker\'s host path', () => {
  it('allocates nothing as long as the catalog outside the sweep kernel\'s own buffers', async () => {
    const n = 40_000;
    const model = int8Model(n);
    const kernel = kernelFor('auto', model.items);
    expect(kernel.name).toBe('host');
    /** One click as the worker runs it (worker/session.ts): the rank before adapting, the signals once, the start, the steps, the rankings; and a restore. */
    const click = async (clicks: Int32Array, previous: UserState): Promise<UserState> => {
      await kernel.rankOf!(model.items, previous, clicks.at(-1)!, clicks.slice(0, -1));
      const signals = clickSignals(model, clicks, undefined, model.decay);
      const start = initialState(model, clicks, 'auto', undefined, signals);
      const out = await adapt(model, start, { clicks, negatives: Int32Array.of(1, 2) }, { steps: 2, signals });
      disposeState(start);
      await rank(model.items, out.state, 20, clicks);
      await rank(model.items, out.state, 100, clicks);
      disposeState(deserializeState(await serializeState(out.state), 16, model, clicks));
      disposeState(previous);
      return out.state;
    };
    const history = [10, 200, 3_000, 10, 39_999];
    // The first click outside the record: the kernel's buffers are made once per model, not per click.
    let state = await click(Int32Array.of(history[0]!), initialState(model, new Int32Array(0)));
    const lengths = recordAllocations();
    for (let t = 2; t <= history.length; t++) state = await click(Int32Array.from(history.slice(0, t)), state);
    stopRecording();
    // The record saw the click path's own arrays (weights, rows, the top k), so it was in force.
    expect(lengths.length).toBeGreaterThan(50);
    expect(Math.max(...lengths)).toBeLessThan(n / 10);
    disposeState(state);
    model.dispose();
  });
});
