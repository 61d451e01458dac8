import { describe, expect, it } from 'vitest';
import type { ClickInput } from '../../../src/gpu/click-types';
import { HEADER, INPUT_WGSL, inputWords, packInput } from '../../../src/gpu/input-layout';
import { MAX_K, MAX_STEPS, OUT_HEADER, outWordsFor, readOutput, scoresWords, SELECT_BUFFER, workLayout } from '../../../src/gpu/work-layout';

const input: ClickInput = {
  n: 100,
  dim: 6,
  steps: 2,
  k: 20,
  base: Float32Array.of(1, 2, 3, 4, 5, 6),
  rateUser: Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
  pop0: 0.5,
  knn0: 0.25,
  seq0: 2,
  ratePop: 0.125,
  rateKnn: 0.0625,
  rateSeq: 0.375,
  lambda: 0.7,
  mass: 1,
  explodeFactor: 10,
  losses: true,
  proto: { items: Int32Array.of(3, 9), coefs: Float32Array.of(0.5, 1.5) },
  slate: { items: Int32Array.of(3, 9, 42), weights: Float32Array.of(0.25, 0.75, 0), n: Float32Array.of(0, 0.5, 0.125), t: Float32Array.of(0, 0, 3) },
  entries: { items: Int32Array.of(7, 8), n: Float32Array.of(0.5, 0.25), t: Float32Array.of(0, 1) },
  exclude: Int32Array.of(3, 9),
  count: { target: 42, exclude: Int32Array.of(3, 9, 77) },
};

describe('the packed per-click input', () => {
  it('puts every section where its header offset says, floats bit-cast', () => {
    const words = inputWords(input);
    const buffer = new ArrayBuffer(4 * words);
    expect(packInput(input, buffer)).toBe(words);
    const u32 = new Uint32Array(buffer);
    const f32 = new Float32Array(buffer);
    expect([u32[HEADER.n], u32[HEADER.dim], u32[HEADER.steps], u32[HEADER.k]]).toEqual([100, 6, 2, 20]);
    expect([u32[HEADER.protoCount], u32[HEADER.slateCount], u32[HEADER.entryCount], u32[HEADER.excludeCount]]).toEqual([2, 3, 2, 2]);
    expect([f32[HEADER.lambda], f32[HEADER.pop0], f32[HEADER.knn0], f32[HEADER.seq0], f32[HEADER.rateSeq]]).toEqual([0.7, 0.5, 0.25, 2, 0.375].map(Math.fround));
    // Vectors are zero-padded to whole vec4s (dim 6 → 8).
    expect(Array.from(f32.subarray(u32[HEADER.baseOff]!, u32[HEADER.baseOff]! + 8))).toEqual([1, 2, 3, 4, 5, 6, 0, 0]);
    expect(u32[HEADER.rateOff]! - u32[HEADER.baseOff]!).toBe(8);
    const proto = u32[HEADER.protoOff]!;
    expect([u32[proto], f32[proto + 1], u32[proto + 2], f32[proto + 3]]).toEqual([3, 0.5, 9, 1.5]);
    const slate = u32[HEADER.slateOff]! + 4 * 2;
    expect([u32[slate], f32[slate + 1], f32[slate + 2], f32[slate + 3]]).toEqual([42, 0, 0.125, 3]);
    const entry = u32[HEADER.entryOff]! + 4;
    expect([u32[entry], f32[entry + 1], f32[entry + 2]]).toEqual([8, 0.25, 1]);
    expect(Array.from(u32.subarray(u32[HEADER.excludeOff]!, u32[HEADER.excludeOff]! + u32[HEADER.excludeCount]!))).toEqual([3, 9]);
    expect(u32[HEADER.countTarget]).toBe(42);
    expect(Array.from(u32.subarray(u32[HEADER.countExcludeOff]!, words))).toEqual([3, 9, 77]);
    expect(u32[HEADER.countExcludeCount]).toBe(3);
    const none = new ArrayBuffer(4 * inputWords({ ...input, count: null }));
    packInput({ ...input, count: null }, none);
    expect(new Uint32Array(none)[HEADER.countTarget]).toBe(0xffffffff);
  });

  it('names the header for WGSL', () => {
    expect(INPUT_WGSL).toContain('const H_PROTO_COUNT = 4u;');
    expect(INPUT_WGSL).toContain('const H_EXPLODE_FACTOR = 23u;');
    expect(INPUT_WGSL).toContain('const H_COUNT_EXCLUDE_COUNT = 27u;');
    expect(INPUT_WGSL).toContain('const NO_COUNT = 4294967295u;');
  });
});

describe('the work buffer', () => {
  it('lays out records, losses, partials and the read-back without overlap', () => {
    const L = workLayout(6, 5);
    expect(L.d4).toBe(2);
    expect(L.stateWords).toBe(12);
    const regions = [
      [L.rec, L.rec + 2 * L.recWords],
      [L.final, L.final + 4 + L.stateWords],
      [L.losses, L.losses + MAX_STEPS + 1],
      [L.partials, L.partials + 2 * L.partialSlotWords],
      [L.counts, L.counts + 5],
      [L.out, L.out + L.outWords],
      [L.scratch, L.scratch + 5 * L.scratchWords],
    ];
    regions.slice(1).forEach(([from], i) => expect(from).toBeGreaterThanOrEqual(regions[i]![1]!));
    expect(L.partialSlotWords).toBe(5 * 4 * 3);
    // 64 invocation rows and a sum row of (dim + 4) floats per sweep workgroup.
    expect(L.scratchWords).toBe(65 * 4 * 3);
    expect(L.totalWords).toBe(L.scratch + 5 * L.scratchWords);
    expect(L.outScores + MAX_K).toBe(L.outTrace);
    expect(L.outTrace + (MAX_STEPS + 1) * L.stateWords).toBe(L.outWords);
    // A click reads back its header, losses, state, top k and its own steps' states only.
    expect(outWordsFor(L, 2)).toBe(L.outTrace + 3 * L.stateWords);
    // Two score slots, MAX_K candidates and an entry buffer with its kept list per ranking workgroup.
    expect(scoresWords(1000, 3)).toBe(2000 + 3 * MAX_K * 2 + 3 * (SELECT_BUFFER + MAX_K));
  });

  it('decodes the read-back: counts and ids are float values; the trace up to the rolled-back step', () => {
    const L = workLayout(6, 5);
    const f32 = new Float32Array(outWordsFor(L, 3));
    f32.set([2, 1, 1, 3, 1, 17]);
    f32.set([3.5, 3.25, NaN], L.outLosses);
    f32.set([1, 2, 3, 4, 5, 6, 0, 0, 0.5, 0.25, 2], L.outState);
    f32.set([42, 7], L.outIds);
    f32.set([9.5, 9], L.outScores);
    for (let j = 0; j < 4; j++) f32.set([j, 0, 0, 0, 0, 0, 0, 0, 10 + j, 20 + j, 30 + j], L.outTrace + j * L.stateWords);
    const out = readOutput(f32.buffer, L, 6, 3, true);
    expect(OUT_HEADER).toBe(8);
    expect(Array.from(out.indices)).toEqual([42, 7]);
    expect(Array.from(out.scores)).toEqual([9.5, 9]);
    // Steps 0 and 1 kept, step 2 rolled back (its loss last); step 3 was never judged.
    expect(Array.from(out.losses)).toEqual([3.5, 3.25, NaN]);
    expect(Array.from(out.user)).toEqual([1, 2, 3, 4, 5, 6]);
    expect([out.pop, out.knn, out.seq, out.rolledBack, out.accepted, out.slot, out.rank]).toEqual([0.5, 0.25, 2, true, 1, 1, 17]);
    expect(out.trace.map((s) => [s.user[0], s.pop, s.knn, s.seq])).toEqual([[0, 10, 20, 30], [1, 11, 21, 31], [2, 12, 22, 32]]);
    expect(readOutput(f32.buffer, L, 6, 3).rank).toBeNull();
  });
});
