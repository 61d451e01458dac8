/**
 * The per-click input packed into one array of 32-bit words, the `inp`
 * storage buffer every pipeline reads (floats bit-cast). Pure; the WGSL reads
 * the header through the same constants (INPUT_WGSL).
 *
 *   header [32]  counts, section offsets and scalars (HEADER below)
 *   base   [4·d4]  start user vector before the prototype rows (zero-padded)
 *   rate   [4·d4]  per-coordinate step sizes
 *   proto  [2·P]   (item, coefficient) pairs: context rows added to base
 *   slate  [4·M]   (item, clicks' weight, item-item value n, sequential value t)
 *   entries[4·E]   (item, item-item value n, sequential value t, 0), sorted by item
 *   exclude[X]     sorted items left out of the ranking
 *   counted[C]     sorted items left out of the rank count (RankCount.exclude)
 */

import type { ClickInput } from './click-types';

/** Header word indices. */
export const HEADER = {
  n: 0,
  dim: 1,
  steps: 2,
  k: 3,
  protoCount: 4,
  slateCount: 5,
  entryCount: 6,
  excludeCount: 7,
  protoOff: 8,
  slateOff: 9,
  entryOff: 10,
  excludeOff: 11,
  baseOff: 12,
  rateOff: 13,
  /** 1: compute the support losses (and the softmax behind them); 0 only when ranking a given state. */
  losses: 14,
  lambda: 16,
  mass: 17,
  pop0: 18,
  knn0: 19,
  ratePop: 20,
  rateKnn: 21,
  seq0: 22,
  explodeFactor: 23,
  rateSeq: 24,
  /** The item whose rank under the previous submission's scores is counted, or NO_COUNT. */
  countTarget: 25,
  countExcludeOff: 26,
  countExcludeCount: 27,
} as const;

/** countTarget when no rank is counted. */
export const NO_COUNT = 0xffffffff;

const HEADER_WORDS = 32;

/** The header as WGSL constants (`H_N`, `H_DIM`, …), for the shaders. */
export const INPUT_WGSL = Object.entries(HEADER)
  .map(([name, index]) => `const H_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()} = ${index}u;`)
  .join('\n')
  .concat(`\nconst NO_COUNT = ${NO_COUNT}u;`);

/** Words the input of `input` takes. */
export function inputWords(input: ClickInput): number {
  const d4 = Math.ceil(input.dim / 4);
  const counted = input.count?.exclude.length ?? 0;
  return HEADER_WORDS + 8 * d4 + 2 * input.proto.items.length + 4 * input.slate.items.length + 4 * input.entries.items.length + input.exclude.length + counted;
}

/** Packs a click's input into `into` (grown by the caller to inputWords), returning the words used. */
export function packInput(input: ClickInput, into: ArrayBuffer): number {
  const u32 = new Uint32Array(into);
  const f32 = new Float32Array(into);
  const d4 = Math.ceil(input.dim / 4);
  const words = inputWords(input);
  if (u32.length < words) throw new Error(`packInput: ${u32.length} words given, ${words} needed.`);
  u32.fill(0, 0, HEADER_WORDS + 8 * d4);
  const baseOff = HEADER_WORDS;
  const rateOff = baseOff + 4 * d4;
  const protoOff = rateOff + 4 * d4;
  const slateOff = protoOff + 2 * input.proto.items.length;
  const entryOff = slateOff + 4 * input.slate.items.length;
  const excludeOff = entryOff + 4 * input.entries.items.length;
  const countOff = excludeOff + input.exclude.length;
  const h = HEADER;
  u32[h.n] = input.n;
  u32[h.dim] = input.dim;
  u32[h.steps] = input.steps;
  u32[h.k] = input.k;
  u32[h.protoCount] = input.proto.items.length;
  u32[h.slateCount] = input.slate.items.length;
  u32[h.entryCount] = input.entries.items.length;
  u32[h.excludeCount] = input.exclude.length;
  u32[h.protoOff] = protoOff;
  u32[h.slateOff] = slateOff;
  u32[h.entryOff] = entryOff;
  u32[h.excludeOff] = excludeOff;
  u32[h.baseOff] = baseOff;
  u32[h.rateOff] = rateOff;
  u32[h.losses] = input.losses ? 1 : 0;
  f32[h.lambda] = input.lambda;
  f32[h.mass] = input.mass;
  f32[h.pop0] = input.pop0;
  f32[h.knn0] = input.knn0;
  f32[h.ratePop] = input.ratePop;
  f32[h.rateKnn] = input.rateKnn;
  f32[h.seq0] = input.seq0;
  f32[h.rateSeq] = input.rateSeq;
  f32[h.explodeFactor] = input.explodeFactor;
  u32[h.countTarget] = input.count ? input.count.target : NO_COUNT;
  u32[h.countExcludeOff] = countOff;
  u32[h.countExcludeCount] = input.count?.exclude.length ?? 0;
  f32.set(input.base, baseOff);
  f32.set(input.rateUser, rateOff);
  input.proto.items.forEach((item, j) => {
    u32[protoOff + 2 * j] = item;
    f32[protoOff + 2 * j + 1] = input.proto.coefs[j]!;
  });
  input.slate.items.forEach((item, j) => {
    const at = slateOff + 4 * j;
    u32[at] = item;
    f32[at + 1] = input.slate.weights[j]!;
    f32[at + 2] = input.slate.n[j]!;
    f32[at + 3] = input.slate.t[j]!;
  });
  input.entries.items.forEach((item, j) => {
    const at = entryOff + 4 * j;
    u32[at] = item;
    f32[at + 1] = input.entries.n[j]!;
    f32[at + 2] = input.entries.t[j]!;
    f32[at + 3] = 0;
  });
  u32.set(input.exclude, excludeOff);
  if (input.count) u32.set(input.count.exclude, countOff);
  return words;
}
