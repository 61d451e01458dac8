/**
 * WGSL of a streaming exact top k over a workgroup's entries (see select.ts):
 * rounds of T × R entries through a threshold filter into a buffer of CAP
 * entry indices (in storage: SwiftShader makes workgroup memory expensive),
 * compacted to the best k by radix select when the next round could overflow
 * it. The including shader defines T, MAX_K, CAP and, per stage, entryKey(x),
 * entryId(x), passes(x, open, θ score, θ), admissible(x), and sets selBase;
 * keyOf comes from common.ts.
 */

/** Entries an invocation reads per round (one barrier each); a round adds at most T × 64 to the buffer. */
export const PER_ROUND = 64;

export const STREAM = `
const R = ${PER_ROUND}u;
const ROUND = T * R;
// Ids are < 2^24 (resident.ts checks n): 3 tie passes.
const TIEMAX = 0xffffffu;

// This workgroup's entry buffer [CAP] and kept list [MAX_K], in the scores buffer (see bufAt).
var<private> selBase: u32;
var<workgroup> count: atomic<u32>;
var<workgroup> kept: atomic<u32>;
var<workgroup> tieTop: atomic<u32>;
var<workgroup> theta: vec2<u32>;
var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> selv: vec4<u32>;

fn scoreOfKey(k: u32) -> f32 { return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u)); }

fn bufAt(p: u32) -> u32 { return scores[selBase + p]; }
fn setBuf(p: u32, x: u32) { scores[selBase + p] = x; }
fn keepAt(p: u32) -> u32 { return scores[selBase + CAP + p]; }
fn setKeep(p: u32, x: u32) { scores[selBase + CAP + p] = x; }

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
      let key = entryKey(bufAt(e));
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
        let x = bufAt(e);
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
    let x = bufAt(e);
    let key = entryKey(x);
    let id = entryId(x);
    if (key > tau || (key == tau && (allTies || TIEMAX - id >= iota))) {
      let p = atomicAdd(&kept, 1u);
      if (p < k) { setKeep(p, x); }
      if (key == tau) { atomicMax(&tieTop, id); }
    }
  }
  storageBarrier();
  for (var p = t; p < k; p += T) { setBuf(p, keepAt(p)); }
  storageBarrier();
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
      if (entryKey(x) > 0u) { setBuf(atomicAdd(&count, 1u), x); }
    }
  }
  let c = workgroupUniformLoad(&count);
  if (c > CAP - ROUND) {
    storageBarrier();
    compact(t, c, k);
  }
}

// Streams entries [lo, hi); leaves the best min(k, passed) in buf and returns how many.
fn stream(t: u32, lo: u32, hi: u32, k: u32) -> u32 {
  if (t == 0u) { atomicStore(&count, 0u); theta = vec2<u32>(0u, 0u); }
  workgroupBarrier();
  for (var r0 = lo; r0 < hi; r0 += ROUND) { round(t, r0, hi, k); }
  let c = workgroupUniformLoad(&count);
  storageBarrier();
  if (c > k) { compact(t, c, k); }
  return min(c, k);
}
`;
