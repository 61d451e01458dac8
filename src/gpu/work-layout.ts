/**
 * Sizes of the click kernel and the layout of its `work` buffer, in 32-bit
 * words, shared by the TypeScript that reads the result and the WGSL that
 * writes it (the shaders get these numbers as constants). Pure.
 *
 * work (f32 words; integers are stored as float values, exact below 2^24,
 * so no bit pattern of an integer passes through float registers as a denormal):
 *   rec[2]      the state after each sweep dispatch, double-buffered by parity
 *               (dispatch j reads rec[(j-1)%2], its workgroup 0 writes rec[j%2]):
 *               [stopped, accepted step, start loss, score slot base] + accepted state + swept state
 *   final       written by the ranking's first stage: [rolled back, accepted step, ranked score slot, 0] + state;
 *               the next submission reads its slot (the scores it may count a rank in) and sweeps into the other
 *   losses      [MAX_STEPS + 1] support loss after each step
 *   partials[2] per sweep workgroup: [max, Σe, Σe·bias, 0] + Σe·v ([dim], vec4-padded)
 *   counts      per sweep workgroup: items of its range that beat the counted item
 *   out         the one read-back: [count, accepted step, rolled back, steps, ranked slot, rank, 0, 0]
 *               + losses + state + top-k ids [MAX_K] + top-k scores [MAX_K]
 *               + the swept state of every dispatch (trace, steps + 1 states: read back as far as used)
 *   scratch     per sweep workgroup, (64 + 1) rows of dim + 4 floats: its vector
 *               sums pass through here, not workgroup memory, which SwiftShader
 *               makes expensive per workgroup (row 64 holds the sum)
 * A state is [user (dim padded to vec4s), pop, knn, seq, 0].
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
  /** Offsets (words) of rec[0], final, losses, partials[0], counts, out. */
  readonly rec: number;
  readonly final: number;
  readonly losses: number;
  readonly partials: number;
  /** Words of one slot of partials (all sweep workgroups). */
  readonly partialSlotWords: number;
  readonly counts: number;
  readonly out: number;
  /** Words of out with a trace of MAX_STEPS + 1 states (a click reads back outWordsFor(steps)). */
  readonly outWords: number;
  readonly scratch: number;
  /** Words of one sweep workgroup's scratch. */
  readonly scratchWords: number;
  /** Offsets inside out. */
  readonly outLosses: number;
  readonly outState: number;
  readonly outIds: number;
  readonly outScores: number;
  readonly outTrace: number;
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
  const counts = partials + 2 * partialSlotWords;
  const out = align4(counts + sweepGroups);
  const outLosses = OUT_HEADER;
  const outState = outLosses + MAX_STEPS + 1;
  const outIds = outState + stateWords;
  const outScores = outIds + MAX_K;
  const outTrace = outScores + MAX_K;
  const outWords = outTrace + (MAX_STEPS + 1) * stateWords;
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
    counts,
    out,
    outWords,
    outLosses,
    outState,
    outIds,
    outScores,
    outTrace,
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

/** Words of the out header: [count, accepted step, rolled back, steps, ranked slot, rank, 0, 0]. */
export const OUT_HEADER = 8;

/** Words a click with `steps` steps reads back: out up to its trace's last state. */
export function outWordsFor(layout: WorkLayout, steps: number): number {
  return layout.outTrace + (steps + 1) * layout.stateWords;
}

function align4(words: number): number {
  return Math.ceil(words / 4) * 4;
}

/** A state of the read-back: user vector and the three weights. */
export interface OutState {
  readonly user: Float32Array;
  readonly pop: number;
  readonly knn: number;
  readonly seq: number;
}

/** The read-back, decoded: what the click produced. */
export interface ClickOutput extends OutState {
  /** Top-k catalog indices, best first, and their scores. */
  readonly indices: Int32Array;
  readonly scores: Float32Array;
  /** Support loss after each judged step (index = step, 0 = the start): the kept ones, then the rolled-back one if any. */
  readonly losses: Float32Array;
  /** The step the returned state is (the last kept). */
  readonly accepted: number;
  /** True when a step was undone (non-finite or exploded loss). */
  readonly rolledBack: boolean;
  /** Score slot the ranking read (the next submission may count a rank in it). */
  readonly slot: number;
  /** The counted rank (RankCount), or null when none was asked for. */
  readonly rank: number | null;
  /** The state each dispatch swept: [0] the start, [j] step j's candidate (up to the rolled-back one). */
  readonly trace: readonly OutState[];
}

/** Decodes the `out` words read back from the GPU for a click of `steps` steps (`counted`: a rank was counted). */
export function readOutput(words: ArrayBuffer, layout: WorkLayout, dim: number, steps: number, counted = false): ClickOutput {
  // Integers are stored as float values (exact below 2^24; the kernel checks n).
  const f32 = new Float32Array(words, 0, outWordsFor(layout, steps));
  const count = f32[0]!;
  const accepted = f32[1]!;
  const rolledBack = f32[2]! !== 0;
  const stateAt = (at: number): OutState => ({ user: f32.slice(at, at + dim), pop: f32[at + 4 * layout.d4]!, knn: f32[at + 4 * layout.d4 + 1]!, seq: f32[at + 4 * layout.d4 + 2]! });
  const judged = Math.min(steps, accepted + (rolledBack ? 1 : 0));
  return {
    ...stateAt(layout.outState),
    indices: Int32Array.from(f32.subarray(layout.outIds, layout.outIds + count)),
    scores: f32.slice(layout.outScores, layout.outScores + count),
    losses: f32.slice(layout.outLosses, layout.outLosses + judged + 1),
    accepted,
    rolledBack,
    slot: f32[4]!,
    rank: counted ? f32[5]! : null,
    trace: Array.from({ length: judged + 1 }, (_, j) => stateAt(layout.outTrace + j * layout.stateWords)),
  };
}
