/**
 * The ranking: exact top k (≤ MAX_K) of the last kept sweep's scores, ties to
 * the lower index, excluded items skipped, in two pipelines of 64 invocations.
 *
 * Both stream their entries through a threshold filter: rounds of 64 × 64
 * entries; an entry enters a buffer of 8,192 entry indices (storage) only if
 * it beats θ, the k-th best kept so far (score key, then lower id). When the
 * buffer could overflow in the next round it is compacted to its best k by
 * radix select (4 passes of 8 bits over a 256-bin histogram, 1 KB of
 * workgroup memory; ties at the k-th key by 3 more passes over inverted ids),
 * which raises θ. After the first compaction few entries pass, so a round of
 * 4,096 entries costs one barrier: barriers, not arithmetic, are what
 * SwiftShader's coroutine-per-subgroup compute pays for (rounds of 1,024 cost
 * 1.5–4× more for 1M items).
 *
 * select-local: workgroup g takes the contiguous items [g·chunk, (g+1)·chunk),
 *   invocation t item r0 + r·64 + t of each round. It first settles the last
 *   step (the judgement a sweep makes at its start) and so which score slot to
 *   rank; workgroup 0 records the final state. Its best k go to the candidates
 *   (MAX_K (key, id) pairs per workgroup, absent = key 0).
 * select-merge: 1 workgroup streams the candidates the same way, rank-sorts the
 *   final k (each invocation counts who beats it) and writes the read-back record.
 *   Where one select-local workgroup covers the catalog, it does that itself and
 *   select-merge is not dispatched.
 */

import { bindings, constants, LOSS, REDUCE_SCALARS, type ShaderConfig } from './common';
import { PER_ROUND, STREAM } from './stream';

export const SELECT_WORKGROUP = 64;
export const SELECT_ROUND = SELECT_WORKGROUP * PER_ROUND;

/** Items per select-local workgroup for `groups` workgroups over `n` items (whole rounds). */
export function selectChunk(n: number, groups: number): number {
  return Math.ceil(Math.ceil(n / groups) / SELECT_ROUND) * SELECT_ROUND;
}

const DECIDE = `
var<workgroup> fin: vec4<u32>;
var<workgroup> finF: vec4<f32>;
var<private> rankSlot: u32;

// The last step's judgement; returns the score slot to rank. Workgroup 0 writes final = [rolled back, kept step, slot, 0] + state.
fn decide(t: u32, first: bool) -> u32 {
  let steps = inp[H_STEPS];
  let prev = W_REC + (steps % 2u) * W_REC_WORDS;
  base = u32(work[prev + 3u]);
  if (t == 0u) {
    fin = vec4<u32>(u32(work[prev]), u32(work[prev + 1u]), 0u, 0u);
    finF = vec4<f32>(work[prev + 2u], 0.0, 0.0, 0.0);
  }
  let r = workgroupUniformLoad(&fin);
  let rf = workgroupUniformLoad(&finF);
  var rolled = r.x;
  var kept = r.y;
  var slot = (steps + base) % 2u;
  var keptAt = prev + 4u;
  var loss = 0.0;
  let judge = r.x == 0u && inp[H_LOSSES] == 1u;
  if (judge) {
    let h = headOf(steps % 2u, t);
    loss = slateLoss(slot, h.x + log(h.y), t).x;
    if (steps > 0u && exploded(loss, rf.x)) {
      rolled = 1u;
      slot = (steps - 1u + base) % 2u;
    } else {
      kept = steps;
      keptAt = prev + 4u + W_STATE;
    }
  }
  if (first) {
    for (var w = t; w < W_STATE; w += T) { work[W_FINAL + 4u + w] = work[keptAt + w]; }
    if (t == 0u) {
      work[W_FINAL] = f32(rolled);
      work[W_FINAL + 1u] = f32(kept);
      work[W_FINAL + 2u] = f32(slot);
      if (judge) { work[W_LOSSES + steps] = loss; }
    }
  }
  return slot;
}

var<private> xLo: u32;
var<private> xHi: u32;

fn admissible(i: u32) -> bool {
  if (xHi <= xLo) { return true; }
  let off = inp[H_EXCLUDE_OFF] + xLo;
  let x = lowerBound(off, xHi - xLo, 1u, i);
  return !(x < xHi - xLo && inp[off + x] == i);
}

fn entryKey(i: u32) -> u32 { return keyOf(scores[rankSlot * N + i]); }
fn entryId(i: u32) -> u32 { return i; }

// Item i beats θ, compared as floats (equal for -0 and +0, false for NaN) to skip the key mapping.
fn passes(i: u32, open: bool, thS: f32, th: vec2<u32>) -> bool {
  let s = bitcast<f32>(scores[rankSlot * N + i]);
  return open || s > thS || (s == thS && i < th.y);
}
`;

/**
 * The read-back record: the best m entries (buf[0..m)) rank-sorted by (score
 * key, lower id), each invocation counting who beats its entries; the final
 * state and the losses.
 */
const WRITE_OUT = `
fn writeOut(t: u32, m: u32) {
  let steps = inp[H_STEPS];
  for (var p = t; p < m; p += T) {
    let x = bufAt(p);
    let mk = entryKey(x);
    let mi = entryId(x);
    var rank = 0u;
    for (var u = 0u; u < m; u++) {
      let y = bufAt(u);
      let ok = entryKey(y);
      if (ok > mk || (ok == mk && entryId(y) < mi)) { rank++; }
    }
    work[W_OUT + O_IDS + rank] = f32(mi);
    work[W_OUT + O_SCORES + rank] = scoreOfKey(mk);
  }
  if (t == 0u) {
    work[W_OUT] = f32(m);
    work[W_OUT + 1u] = work[W_FINAL + 1u];
    work[W_OUT + 2u] = work[W_FINAL];
    work[W_OUT + 3u] = f32(steps);
    work[W_OUT + 4u] = work[W_FINAL + 2u];
    // The counted rank: 1 + the items every sweep workgroup found beating the target (exact below 2^24).
    var beaten = 0.0;
    if (inp[H_COUNT_TARGET] != NO_COUNT) { for (var g = 0u; g < G; g++) { beaten += work[W_COUNTS + g]; } }
    work[W_OUT + 5u] = 1.0 + beaten;
  }
  for (var w = t; w < W_STATE; w += T) { work[W_OUT + O_STATE + w] = work[W_FINAL + 4u + w]; }
  for (var w = t; w <= steps; w += T) { work[W_OUT + O_LOSSES + w] = work[W_LOSSES + w]; }
}
`;

/**
 * WGSL of select-local for `chunk` items per workgroup (entry point `main`).
 * `final`: a single workgroup covers the catalog, so it writes the read-back
 * record itself and select-merge is not dispatched.
 */
export function selectLocalShader(c: ShaderConfig, chunk: number, final: boolean): string {
  const finish = final
    ? 'writeOut(t, m);'
    : `let cAt = CANDS + wid.x * MAX_K * 2u;
  for (var p = t; p < k; p += T) {
    var pair = vec2<u32>(0u, 0xffffffffu);
    if (p < m) { pair = vec2<u32>(entryKey(bufAt(p)), bufAt(p)); }
    scores[cAt + 2u * p] = pair.x;
    scores[cAt + 2u * p + 1u] = pair.y;
  }`;
  return [bindings(c), constants(c, SELECT_WORKGROUP), REDUCE_SCALARS, LOSS, DECIDE, STREAM, WRITE_OUT, `
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  rankSlot = decide(t, wid.x == 0u);
  selBase = S_SCRATCH + wid.x * (CAP + MAX_K);
  let k = inp[H_K];
  let lo = min(N, wid.x * ${chunk}u);
  let hi = min(N, lo + ${chunk}u);
  let xOff = inp[H_EXCLUDE_OFF];
  let xCount = inp[H_EXCLUDE_COUNT];
  xLo = lowerBound(xOff, xCount, 1u, lo);
  xHi = lowerBound(xOff, xCount, 1u, hi);
  let m = stream(t, lo, hi, k);
  ${finish}
}
`].join('\n');
}

/** WGSL of select-merge (entry point `main`, one workgroup). */
export function selectMergeShader(c: ShaderConfig): string {
  return [bindings(c), constants(c, SELECT_WORKGROUP), `
var<private> kNow: u32;
fn candAt(x: u32) -> u32 { return CANDS + ((x / kNow) * MAX_K + x % kNow) * 2u; }
fn admissible(x: u32) -> bool { return true; }
fn entryKey(x: u32) -> u32 { return scores[candAt(x)]; }
fn entryId(x: u32) -> u32 { return scores[candAt(x) + 1u]; }
fn passes(x: u32, open: bool, thS: f32, th: vec2<u32>) -> bool { return beats(entryKey(x), entryId(x), th); }
`, STREAM, WRITE_OUT, `
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) t: u32) {
  let k = inp[H_K];
  kNow = k;
  selBase = S_SCRATCH;
  writeOut(t, stream(t, 0u, GA * k, k));
}
`].join('\n');
}
