import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initialState } from '../../../src/core/kernels';
import { hostFeedback } from '../../../src/core/host-kernel';
import { computeItemTable } from '../../../src/core/model';
import { neighbourRow } from '../../../src/core/neighbours';
import { clickInput, clickShares, listRow, offsetEntries } from '../../../src/gpu/click-input';
import type { ClickModel, ClickRequest } from '../../../src/gpu/click-types';
import { seqWeights } from '../../../src/core/transitions';
import { decayOf } from '../../../src/core/recency';
import { adaptConstantsOf } from '../../../src/gpu/model-input';
import { TINY_NEIGHBOURS as neighbours, tinyModel } from '../core/fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function fixture() {
  const { params, inputs } = tinyModel(3);
  const items = computeItemTable(params, inputs);
  const model: ClickModel = { constants: await adaptConstantsOf(params), n: 7, dim: 4, neighbours };
  const context = (await items.context.array()) as number[][];
  return { params, items, model, context };
}

const request = (r: Partial<ClickRequest>): ClickRequest => ({ clicks: new Int32Array(0), negatives: new Int32Array(0), steps: 2, negativeWeight: 0.5, k: 5, ...r });

/** The start the GPU builds: base + Σ coef · context row. */
const startOf = (input: ReturnType<typeof clickInput>, context: number[][]) =>
  Array.from(input.base, (b, d) => input.proto.items.reduce((s, item, j) => s + input.proto.coefs[j]! * context[item]![d]!, b));

describe('per-click GPU input', () => {
  it('starts where the host starts: init + prototype of the clicks, item-item weight × evidence', async () => {
    const { params, items, model, context } = await fixture();
    const clicks = Int32Array.of(0, 3, 3);
    const input = clickInput(model, request({ clicks }));
    const host = initialState({ params, items, neighbours, decay: decayOf(model.constants.logitDecay) }, clicks, 'host');
    Array.from(await host.user.data()).forEach((u, d) => expect(startOf(input, context)[d]).toBeCloseTo(u, 6));
    expect(input.pop0).toBe((await host.pop.data())[0]);
    expect(input.knn0).toBe((await host.knn!.data())[0]);
    // Repeats merge into one context row with the summed coefficient.
    expect(Array.from(input.proto.items)).toEqual([0, 3]);
    expect(input.proto.coefs[1]).toBeCloseTo(2 * input.proto.coefs[0]!, 6);
  });

  it('weights the prototype and the item-item row by the rating weights; the evidence counts clicks', async () => {
    const { model, context } = await fixture();
    const c = model.constants;
    const clicks = Int32Array.of(0, 3);
    const weights = Float32Array.of(1, 3);
    const input = clickInput(model, request({ clicks, clickWeights: weights }));
    const trust = 2 / (2 + Math.exp(c.logShrink));
    const want = Array.from(c.userInit, (u, d) => u + c.protoScale * trust * (0.25 * context[0]![d]! + 0.75 * context[3]![d]!));
    startOf(input, context).forEach((u, d) => expect(u).toBeCloseTo(want[d]!, 6));
    expect(input.rateUser[0]).toBeCloseTo(trust * Math.exp(c.logLrUser[0]!), 6);
    expect(input.knn0).toBeCloseTo(Math.exp(c.logKnnInit) * trust, 6);
    // Row: 0.25 × item 0's list (1: 0.9, 2: 0.4) + 0.75 × item 3's (1: 0.5, 4: 0.3).
    expect(Array.from(input.entries.items)).toEqual([1, 2, 4]);
    [0.25 * 0.9 + 0.75 * 0.5, 0.25 * 0.4, 0.75 * 0.3].forEach((v, j) => expect(input.entries.n[j]).toBeCloseTo(v, 6));
  });

  it('builds the slate, its weights and λ as hostFeedback does', async () => {
    const { model } = await fixture();
    const clicks = Int32Array.of(4, 1, 4);
    const negatives = Int32Array.of(4, 6, 2, 6);
    const input = clickInput(model, request({ clicks, negatives, negativeWeight: 0.7 }));
    const host = hostFeedback(clicks, negatives, 0.7);
    expect(Array.from(input.slate.items)).toEqual(Array.from(host.slate));
    Array.from(host.slateWeights).forEach((w, j) => expect(input.slate.weights[j]).toBeCloseTo(w, 7));
    expect(input.lambda).toBe(host.lambda);
    expect(input.mass).toBe(host.mass);
    // The slate carries each item's item-item value (for the item-item weight's gradient).
    const row = neighbourRow(neighbours, clicks, new Float32Array(7));
    expect(Array.from(input.slate.n)).toEqual(Array.from(input.slate.items, (i) => row[i]!));
    // No impressions, or a zero weight: no slate term. Impressions only: no mass.
    expect(clickInput(model, request({ clicks })).lambda).toBe(0);
    expect(clickInput(model, request({ clicks, negatives, negativeWeight: 0 })).lambda).toBe(0);
    expect(clickInput(model, request({ negatives })).mass).toBe(0);
  });

  it('gives the item-item row bit for bit as neighbourRow, sparse and sorted, merged with a transition row', () => {
    const clicks = Int32Array.of(5, 0, 3, 0);
    const share = new Float64Array(4).fill(1 / 4);
    const dense = neighbourRow(neighbours, clicks, new Float32Array(7));
    const entries = offsetEntries(listRow(neighbours, clicks, share), new Map([[6, 0.5], [2, 0.25], [0, 0]]));
    expect(Array.from(entries.items)).toEqual([1, 2, 4, 6]);
    expect(Array.from(entries.n)).toEqual([dense[1], dense[2], dense[4], 0]);
    expect(Array.from(entries.t)).toEqual([0, 0.25, 0, 0.5]);
  });

  it('weighs clicks by recency: decay^(t-1-j) times the rating, normalised; the sequential row looks back 5 clicks', async () => {
    const { model } = await fixture();
    const decay = 0.5;
    const recent: ClickModel = { ...model, constants: { ...model.constants, logitDecay: Math.log(decay / (1 - decay)) }, transitions: neighbours };
    expect(Array.from(clickShares(3, decay))).toEqual([1 / 7, 2 / 7, 4 / 7]);
    const rated = clickShares(3, decay, Float32Array.of(4, 1, 1));
    [4 / 10, 2 / 10, 4 / 10].forEach((w, j) => expect(rated[j]).toBeCloseTo(w, 12));
    // Seven clicks: the sequential row reads the last five, the most recent at weight 1.
    const clicks = Int32Array.of(4, 4, 0, 1, 2, 3, 0);
    expect(Array.from(seqWeights(7, decay).weights)).toEqual([0, 0, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1]);
    const input = clickInput(recent, request({ clicks, negatives: Int32Array.of(6) }));
    const seq = neighbourRow(neighbours, clicks, new Float32Array(7), seqWeights(7, decay).weights);
    const knn = neighbourRow(neighbours, clicks, new Float32Array(7), clickShares(7, decay));
    expect(Array.from(input.entries.items)).toEqual([0, 1, 2, 3, 4, 6]);
    input.entries.items.forEach((i, j) => {
      expect(input.entries.t[j]).toBe(seq[i]);
      expect(input.entries.n[j]).toBe(knn[i]);
    });
    // Item 4 was clicked first, twice, beyond the look-back: it reaches the sequential row only through item 3's list, and 6 not at all.
    expect(input.entries.t[4]).toBe(Math.fround(0.5 * 0.3));
    expect(input.entries.t[5]).toBe(0);
    // The slate's clicked items carry the recency weights, summed over repeats; the shown item 0.
    expect(Array.from(input.slate.items)).toEqual([4, 0, 1, 2, 3, 6]);
    const share = clickShares(7, decay);
    [share[0]! + share[1]!, share[2]! + share[6]!, share[3]!, share[4]!, share[5]!, 0].forEach((w, j) => expect(input.slate.weights[j]).toBeCloseTo(w, 7));
    expect(Array.from(input.slate.t)).toEqual(Array.from(input.slate.items, (i) => seq[i]!));
    // The sequential weight starts at exp(logSeqInit) whatever the evidence, and steps at trust · exp(logLrSeq).
    const trust = 7 / (7 + Math.exp(recent.constants.logShrink));
    expect(input.seq0).toBe(Math.fround(Math.exp(recent.constants.logSeqInit)));
    expect(input.rateSeq).toBe(Math.fround(trust * Math.exp(recent.constants.logLrSeq)));
    expect(clickInput(model, request({ clicks })).rateSeq).toBe(0);
  });

  it('counts a rank without the target among its exclusions; explicit rows replace the lists', async () => {
    const { model } = await fixture();
    const input = clickInput(model, request({ clicks: Int32Array.of(1), count: { target: 3, exclude: Int32Array.of(5, 3, 1, 5) } }));
    expect(input.count!.target).toBe(3);
    expect(Array.from(input.count!.exclude)).toEqual([1, 5]);
    const rows = { items: Int32Array.of(2, 6), n: Float32Array.of(0.5, 0), t: Float32Array.of(0.25, 1) };
    const given = clickInput(model, request({ clicks: Int32Array.of(0), start: { user: new Float32Array(4), pop: 1, knn: 2 }, rows }));
    expect(given.entries).toEqual(rows);
    expect(clickInput(model, request({})).count).toBeNull();
    expect(() => clickInput(model, request({ count: { target: 7, exclude: new Int32Array(0) } }))).toThrow('count.target[0] is item 7');
  });

  it('excludes the distinct clicked items by default, sorted; an explicit start replaces the prototype', async () => {
    const { model } = await fixture();
    const input = clickInput(model, request({ clicks: Int32Array.of(6, 2, 6) }));
    expect(Array.from(input.exclude)).toEqual([2, 6]);
    const start = { user: Float32Array.of(1, 2, 3, 4), pop: 0.5 };
    const given = clickInput(model, request({ clicks: Int32Array.of(6), start }));
    expect(Array.from(given.base)).toEqual([1, 2, 3, 4]);
    expect(given.proto.items).toHaveLength(0);
    expect([given.pop0, given.knn0]).toEqual([0.5, 0]);
  });

  it('names the bad item, weight or setting', async () => {
    const { model } = await fixture();
    expect(() => clickInput(model, request({ clicks: Int32Array.of(1, 7) }))).toThrow('clicks[1] is item 7, outside the catalog (7 items): pass catalog indices 0 … 6.');
    expect(() => clickInput(model, request({ negatives: Int32Array.of(-1) }))).toThrow('negatives[0] is item -1');
    expect(() => clickInput(model, request({ k: 129 }))).toThrow('k = 129: the GPU ranking returns 1 … 128 items.');
    expect(() => clickInput(model, request({ steps: 64 }))).toThrow('steps = 64');
    expect(() => clickInput(model, request({ clicks: Int32Array.of(1), clickWeights: Float32Array.of(1, 2) }))).toThrow('clickWeights must be 1 finite weights');
    expect(() => clickInput(model, request({ start: { user: new Float32Array(3), pop: 0 } }))).toThrow('start.user has 3 values, expected 4');
  });
});
