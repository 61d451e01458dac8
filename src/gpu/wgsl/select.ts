/**
 * The ranking: exact top k (≤ MAX_K) of the last kept sweep's scores, ties to
 * the lower index, excluded items skipped, in two pipelines of 64 invocations.
 *
 * Both stream their entries through a threshold filter: rounds of 64 × 16
 * entries; an entry enters an 8 KB buffer of 2,048 entry indices only if it
 * beats θ, the k-th best kept so far (score key, then lower id). When the
 * buffer could overflow in the next round it is compacted to its best k by
 * radix select (4 passes of 8 bits over a 256-bin histogram, 1 KB; ties at
 * the k-th key by 3 more passes over inverted ids), which raises θ. After the
 * first compaction few entries pass, so a round costs one barrier; barriers,
 * not arithmetic, are what SwiftShader's coroutine-per-subgroup compute pays for.
 *
 * select-local: workgroup g takes the contiguous items [g·chunk, (g+1)·chunk),
 *   invocation t item r0 + r·64 + t of each round. It first settles the last
 *   step (the judgement a sweep makes at its start) and so which score slot to
 *   rank; workgroup 0 records the final state. Its best k go to the candidates
 *   (MAX_K (key, id) pairs per workgroup, absent = key 0).
 * select-merge: 1 workgroup streams the candidates the same way, rank-sorts the
 *   final k (each invocation counts who beats it) and writes the read-back record.
 */

import { bindings, constants, LOSS, REDUCE_SCALARS, type ShaderConfig } from './common';

export const SELECT_WORKGROUP = 64;
/** Entries an invocation reads per round; a round adds at most 64 × 16 to the buffer. */
const PER_ROUND = 16;
export const SELECT_ROUND = SELECT_WORKGROUP * PER_ROUND;
const ROUND = SELECT_ROUND;

/** Items per select-local workgroup for `groups` workgroups over `n` items (whole rounds). */
export function selectChunk(n: number, groups: number): number {
  return Math.ceil(Math.ceil(n / groups) / ROUND) * ROUND;
}

const STREAM = `
const R = ${PER_ROUND}u;
const ROUND = ${ROUND}u;
const CAP = 2048u;
// Ids are < 2^24 (resident.ts checks n): 3 tie passes.
const TIEMAX = 0xffffffu;

var<workgroup> buf: array<u32, CAP>;
var<workgroup> count: atomic<u32>;
var<workgroup> keep: array<u32, MAX_K>;
var<workgroup> kept: atomic<u32>;
var<workgroup> tieTop: atomic<u32>;
var<workgroup> theta: vec2<u32>;
var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> selv: vec4<u32>;

// Order-preserving key of a score's bits; -0 counts as +0 and NaN below every number (1); 0 = absent.
fn keyOf(bits: u32) -> u32 {
  let b = select(bits, 0u, bits == 0x80000000u);
  if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u) { return 1u; }
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

fn scoreOfKey(k: u32) -> f32 { return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u)); }

// (key, id) beats θ: a higher score, or the same score at a lower id.
fn beats(key: u32, id: u32, th: vec2<u32>) -> bool { return key > th.x || (key == th.x && id < th.y); }

// After a histogram pass: the bin (from the top) holding the need-th largest, how many of it are still needed, its count.
fn pickBin(t: u32, need: u32) -> vec4<u32> {
  if (t == 0u) {
    var cum = 0u;
    var res = vec4<u32>(0u, need, 0u, 0u);
    for (var b = 255i; b >= 0i; b--) {
      let h = atomicLoad(&hist[u32(b)]);
      if (cum + h >= need) { res = vec4<u32>(u32(b), need - cum, h, 0u); break; }
      cum += h;
    }
    selv = res;
  }
  return workgroupUniformLoad(&selv);
}

fn clearHist(t: u32) {
  for (var b = t; b < 256u; b += T) { atomicStore(&hist[b], 0u); }
  workgroupBarrier();
}

// Keeps the best k of buf[0..c) in buf[0..k) and raises θ to the k-th of them (c > k, uniform).
fn compact(t: u32, c: u32, k: u32) {
  var prefix = 0u;
  var mask = 0u;
  var need = k;
  var eq = 0u;
  for (var ps = 0u; ps < 4u; ps++) {
    let shift = 24u - 8u * ps;
    clearHist(t);
    for (var e = t; e < c; e += T) {
      let key = entryKey(buf[e]);
      if ((key & mask) == prefix) { atomicAdd(&hist[(key >> shift) & 255u], 1u); }
    }
    workgroupBarrier();
    let s = pickBin(t, need);
    prefix |= s.x << shift;
    mask |= 255u << shift;
    need = s.y;
    eq = s.z;
  }
  let tau = prefix;
  let allTies = need >= eq;
  var iota = 0u;
  if (!allTies) {
    var tp = 0u;
    var tm = 0u;
    for (var ps = 0u; ps < 3u; ps++) {
      let shift = 16u - 8u * ps;
      clearHist(t);
      for (var e = t; e < c; e += T) {
        let x = buf[e];
        let tie = TIEMAX - entryId(x);
        if (entryKey(x) == tau && (tie & tm) == tp) { atomicAdd(&hist[(tie >> shift) & 255u], 1u); }
      }
      workgroupBarrier();
      let s = pickBin(t, need);
      tp |= s.x << shift;
      tm |= 255u << shift;
      need = s.y;
    }
    iota = tp;
  }
  if (t == 0u) { atomicStore(&kept, 0u); atomicStore(&tieTop, 0u); }
  workgroupBarrier();
  for (var e = t; e < c; e += T) {
    let x = buf[e];
    let key = entryKey(x);
    let id = entryId(x);
    if (key > tau || (key == tau && (allTies || TIEMAX - id >= iota))) {
      let p = atomicAdd(&kept, 1u);
      if (p < k) { keep[p] = x; }
      if (key == tau) { atomicMax(&tieTop, id); }
    }
  }
  workgroupBarrier();
  for (var p = t; p < k; p += T) { buf[p] = keep[p]; }
  if (t == 0u) {
    // The worst kept: the highest id among those at the k-th key.
    theta = vec2<u32>(tau, atomicLoad(&tieTop));
    atomicStore(&count, k);
  }
  workgroupBarrier();
}

// One round: entry r0 + r·T + t (r < R) below hi enters the buffer if it beats θ; compacts when the next round could overflow.
fn round(t: u32, r0: u32, hi: u32, k: u32) {
  let th = theta;
  // Until the first compaction θ = (0, 0) lets every present entry in.
  let open = th.x == 0u;
  let thS = scoreOfKey(th.x);
  for (var r = 0u; r < R; r++) {
    let x = r0 + r * T + t;
    // The cheap test first; exclusions and keys only for the few that pass.
    if (x < hi && passes(x, open, thS, th) && admissible(x)) {
      if (entryKey(x) > 0u) { buf[atomicAdd(&count, 1u)] = x; }
    }
  }
  let c = workgroupUniformLoad(&count);
  if (c > CAP - ROUND) { compact(t, c, k); }
}

// Streams entries [lo, hi); leaves the best min(k, passed) in buf and returns how many.
fn stream(t: u32, lo: u32, hi: u32, k: u32) -> u32 {
  if (t == 0u) { atomicStore(&count, 0u); theta = vec2<u32>(0u, 0u); }
  workgroupBarrier();
  for (var r0 = lo; r0 < hi; r0 += ROUND) { round(t, r0, hi, k); }
  let c = workgroupUniformLoad(&count);
  if (c > k) { compact(t, c, k); }
  return min(c, k);
}
`;

const DECIDE = `
var<workgroup> fin: vec4<u32>;
var<workgroup> finF: vec4<f32>;
var<private> rankSlot: u32;

// The last step's judgement; returns the score slot to rank. Workgroup 0 writes final = [rolled back, kept step, slot, 0] + state.
fn decide(t: u32, first: bool) -> u32 {
  let steps = inp[H_STEPS];
  let prev = W_REC + (steps % 2u) * W_REC_WORDS;
  if (t == 0u) {
    fin = vec4<u32>(u32(work[prev]), u32(work[prev + 1u]), 0u, 0u);
    finF = vec4<f32>(work[prev + 2u], 0.0, 0.0, 0.0);
  }
  let r = workgroupUniformLoad(&fin);
  let rf = workgroupUniformLoad(&finF);
  var rolled = r.x;
  var kept = r.y;
  var slot = steps % 2u;
  var keptAt = prev + 4u;
  var loss = 0.0;
  if (r.x == 0u) {
    let h = headOf(steps % 2u, t);
    loss = slateLoss(steps % 2u, h.x + log(h.y), t).x;
    if (steps > 0u && exploded(loss, rf.x)) {
      rolled = 1u;
      slot = (steps - 1u) % 2u;
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
      if (r.x == 0u) { work[W_LOSSES + steps] = loss; }
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

/** WGSL of select-local for `chunk` items per workgroup (entry point `main`). */
export function selectLocalShader(c: ShaderConfig, chunk: number): string {
  return [bindings(c), constants(c, SELECT_WORKGROUP), REDUCE_SCALARS, LOSS, DECIDE, STREAM, `
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  rankSlot = decide(t, wid.x == 0u);
  let k = inp[H_K];
  let lo = min(N, wid.x * ${chunk}u);
  let hi = min(N, lo + ${chunk}u);
  let xOff = inp[H_EXCLUDE_OFF];
  let xCount = inp[H_EXCLUDE_COUNT];
  xLo = lowerBound(xOff, xCount, 1u, lo);
  xHi = lowerBound(xOff, xCount, 1u, hi);
  let m = stream(t, lo, hi, k);
  let cAt = CANDS + wid.x * MAX_K * 2u;
  for (var p = t; p < k; p += T) {
    var pair = vec2<u32>(0u, 0xffffffffu);
    if (p < m) { pair = vec2<u32>(entryKey(buf[p]), buf[p]); }
    scores[cAt + 2u * p] = pair.x;
    scores[cAt + 2u * p + 1u] = pair.y;
  }
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
`, STREAM, `
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) t: u32) {
  let k = inp[H_K];
  kNow = k;
  let steps = inp[H_STEPS];
  let m = stream(t, 0u, GA * k, k);
  for (var p = t; p < m; p += T) {
    let x = buf[p];
    let mk = entryKey(x);
    let mi = entryId(x);
    var rank = 0u;
    for (var u = 0u; u < m; u++) {
      let y = buf[u];
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
  }
  for (var w = t; w < W_STATE; w += T) { work[W_OUT + O_STATE + w] = work[W_FINAL + 4u + w]; }
  for (var w = t; w <= steps; w += T) { work[W_OUT + O_LOSSES + w] = work[W_LOSSES + w]; }
}
`].join('\n');
}
