/**
 * Sizes of the click kernel and the layout of its `work` buffer, in 32-bit
 * words, shared by the TypeScript that reads the result and the WGSL that
 * writes it (the shaders get these numbers as constants). Pure.
 *
 * work (f32 words; integers are stored as float values, exact below 2^24,
 * so no bit pattern of an integer passes through float registers as a denormal):
 *   rec[2]      the state after each sweep dispatch, double-buffered by parity
 *               (dispatch j reads rec[(j-1)%2], its workgroup 0 writes rec[j%2]):
 *               [stopped, accepted step, start loss, 0] + accepted state + swept state
 *   final       written by the ranking's first stage: [rolled back, accepted step, score slot, 0] + state
 *   losses      [MAX_STEPS + 1] support loss after each step
 *   partials[2] per sweep workgroup: [max, Σe, Σe·bias, Σe·n] + Σe·v ([dim], vec4-padded)
 *   out         the one read-back: [count, accepted step, rolled back, steps] + losses
 *               + state + top-k ids [MAX_K] + top-k scores [MAX_K]
 *   scratch     per sweep workgroup, (64 + 1) rows of dim + 4 floats: its vector
 *               sums pass through here, not workgroup memory, which SwiftShader
 *               makes expensive per workgroup (row 64 holds the sum)
 * A state is [user (dim padded to vec4s), pop, knn, 0, 0].
 */

/** Most items one ranking returns (the issue asks for up to 100). */
export const MAX_K = 128;
/** Most adaptation steps per click. */
export const MAX_STEPS = 63;
/** Invocations of a sweep workgroup (wgsl/sweep.ts); its reduction scratch is sized by it. */
export const SWEEP_WORKGROUP = 64;
/** Entries a ranking workgroup buffers before compacting (wgsl/stream.ts). */
export const SELECT_BUFFER = 8192;

export interface WorkLayout {
  /** vec4s per row (dim rounded up to a multiple of 4, over 4). */
  readonly d4: number;
  /** Words of one state. */
  readonly stateWords: number;
  readonly recWords: number;
  /** Offsets (words) of rec[0], final, losses, partials[0], out. */
  readonly rec: number;
  readonly final: number;
  readonly losses: number;
  readonly partials: number;
  /** Words of one slot of partials (all sweep workgroups). */
  readonly partialSlotWords: number;
  readonly out: number;
  readonly outWords: number;
  readonly scratch: number;
  /** Words of one sweep workgroup's scratch. */
  readonly scratchWords: number;
  /** Offsets inside out. */
  readonly outLosses: number;
  readonly outState: number;
  readonly outIds: number;
  readonly outScores: number;
  readonly totalWords: number;
}

/** The work buffer's layout for rows of `dim` and `sweepGroups` sweep workgroups. */
export function workLayout(dim: number, sweepGroups: number): WorkLayout {
  const d4 = Math.ceil(dim / 4);
  const stateWords = 4 * d4 + 4;
  const recWords = 4 + 2 * stateWords;
  const rec = 0;
  const final = rec + 2 * recWords;
  const losses = final + 4 + stateWords;
  const partials = align4(losses + MAX_STEPS + 1);
  const partialSlotWords = sweepGroups * 4 * (d4 + 1);
  const out = partials + 2 * partialSlotWords;
  const outLosses = 4;
  const outState = outLosses + MAX_STEPS + 1;
  const outIds = outState + stateWords;
  const outScores = outIds + MAX_K;
  const outWords = outScores + MAX_K;
  const scratch = align4(out + outWords);
  const scratchWords = (SWEEP_WORKGROUP + 1) * 4 * (d4 + 1);
  return {
    d4,
    stateWords,
    recWords,
    rec,
    final,
    losses,
    partials,
    partialSlotWords,
    out,
    outWords,
    outLosses,
    outState,
    outIds,
    outScores,
    scratch,
    scratchWords,
    totalWords: scratch + sweepGroups * scratchWords,
  };
}

/**
 * Words of the `scores` buffer (u32, float bits): two slots of n scores (the
 * last two sweeps, so a rolled-back last step ranks the one before), then the
 * ranking's candidates, MAX_K (key, id) pairs per first-stage workgroup, then
 * each ranking workgroup's entry buffer and kept list (SELECT_BUFFER + MAX_K).
 */
export function scoresWords(n: number, selectGroups: number): number {
  return 2 * n + selectGroups * MAX_K * 2 + selectGroups * (SELECT_BUFFER + MAX_K);
}

function align4(words: number): number {
  return Math.ceil(words / 4) * 4;
}

/** The read-back, decoded: what the click produced. */
export interface ClickOutput {
  /** Top-k catalog indices, best first, and their scores. */
  readonly indices: Int32Array;
  readonly scores: Float32Array;
  /** Support loss after each kept step (index = step, 0 = the start). */
  readonly losses: Float32Array;
  readonly user: Float32Array;
  readonly pop: number;
  readonly knn: number;
  /** True when a step was undone (non-finite or exploded loss). */
  readonly rolledBack: boolean;
}

/** Decodes the `out` words read back from the GPU. */
export function readOutput(words: ArrayBuffer, layout: WorkLayout, dim: number): ClickOutput {
  // Integers are stored as float values (exact below 2^24; the kernel checks n).
  const f32 = new Float32Array(words, 0, layout.outWords);
  const count = f32[0]!;
  const accepted = f32[1]!;
  const state = layout.outState;
  return {
    indices: Int32Array.from(f32.subarray(layout.outIds, layout.outIds + count)),
    scores: f32.slice(layout.outScores, layout.outScores + count),
    losses: f32.slice(layout.outLosses, layout.outLosses + accepted + 1),
    user: f32.slice(state, state + dim),
    pop: f32[state + 4 * layout.d4]!,
    knn: f32[state + 4 * layout.d4 + 1]!,
    rolledBack: f32[2]! !== 0,
  };
}
