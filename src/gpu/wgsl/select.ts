/**
 * The ranking: exact top k (≤ MAX_K) of the last kept sweep's scores, ties to
 * the lower index, excluded items skipped, in two pipelines of 256
 * invocations (one per radix bin):
 *
 * select-local: ⌈n / 4096⌉ workgroups. It first settles the last step (the
 *   same judgement as a sweep's start, on the last sweep's partial sums) and so
 *   which score slot to rank; workgroup 0 records the final state. Then each
 *   workgroup takes 4096 contiguous items (16 per invocation, kept in
 *   registers: item base + r·256 + t), maps each score to an order-preserving
 *   u32 key (0: absent or excluded) and finds its k-th largest key by radix
 *   select, 4 passes of 8 bits over a 256-bin histogram in workgroup memory
 *   (1 KB); ties at that key go to the lower index by 2 more passes over
 *   inverted indices. Its k (key, id) pairs go to the candidates.
 * select-merge: 1 workgroup: the same select over the ⌈n/4096⌉·k candidates,
 *   then a rank sort of the k winners (each invocation counts who beats it),
 *   and the read-back record.
 */

import { bindings, constants, LOSS, REDUCE_SCALARS, type ShaderConfig } from './common';

export const SELECT_WORKGROUP = 256;
/** Items per invocation of select-local (registers), so 4096 per workgroup. */
export const SELECT_PER_INVOCATION = 16;

const range = (k: number): number[] => Array.from({ length: k }, (_, i) => i);

const KEYS = `
var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> selv: vec4<u32>;
var<workgroup> cnt: atomic<u32>;

// Order-preserving key of a score's bits; -0 counts as +0 and NaN below every number (1); 0 = absent.
fn keyOf(bits: u32) -> u32 {
  let b = select(bits, 0u, bits == 0x80000000u);
  if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u) { return 1u; }
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

fn scoreOfKey(k: u32) -> f32 { return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u)); }

// After a histogram pass: the bin (from the top) holding the need-th largest,
// how many of it are still needed, and the bin's count.
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
`;

/**
 * Radix select of the k largest (key, tie) pairs over the items `each` visits
 * (`each(body)` binds `key` and `tie`, tie = larger for a lower index). Leaves
 * `tau` (the k-th key), `allTies` and `iota` (the lowest tie kept) in scope.
 */
function radixSelect(each: (body: string) => string, tieBits: number): string {
  return `
  var prefix = 0u;
  var mask = 0u;
  var need = k;
  var eq = 0u;
  for (var ps = 0u; ps < 4u; ps++) {
    let shift = 24u - 8u * ps;
    atomicStore(&hist[t], 0u);
    workgroupBarrier();
    ${each('if ((key & mask) == prefix) { atomicAdd(&hist[(key >> shift) & 255u], 1u); }')}
    workgroupBarrier();
    let s = pickBin(t, need);
    prefix |= s.x << shift;
    mask |= 255u << shift;
    need = s.y;
    eq = s.z;
  }
  let tau = prefix;
  // Absent items (key 0) are dropped later, so their order does not matter.
  let allTies = need >= eq || tau == 0u;
  var iota = 0u;
  if (!allTies) {
    var tp = 0u;
    var tm = 0u;
    for (var ps = 0u; ps < ${tieBits / 8}u; ps++) {
      let shift = ${tieBits - 8}u - 8u * ps;
      atomicStore(&hist[t], 0u);
      workgroupBarrier();
      ${each('if (key == tau && (tie & tm) == tp) { atomicAdd(&hist[(tie >> shift) & 255u], 1u); }')}
      workgroupBarrier();
      let s = pickBin(t, need);
      tp |= s.x << shift;
      tm |= 255u << shift;
      need = s.y;
    }
    iota = tp;
  }
  if (t == 0u) { atomicStore(&cnt, 0u); }
  workgroupBarrier();
`;
}

const KEEP = '(key > tau || (key == tau && (allTies || tie >= iota)))';

const DECIDE = `
var<workgroup> fin: vec4<u32>;
var<workgroup> finF: vec4<f32>;

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

fn excluded(i: u32, x0: u32, x1: u32) -> bool {
  if (x1 <= x0) { return false; }
  let off = inp[H_EXCLUDE_OFF] + x0;
  let x = lowerBound(off, x1 - x0, 1u, i);
  return x < x1 - x0 && inp[off + x] == i;
}

fn keyAt(slot: u32, i: u32, x0: u32, x1: u32) -> u32 {
  if (i >= N || excluded(i, x0, x1)) { return 0u; }
  return keyOf(scores[slot * N + i]);
}
`;

/** WGSL of select-local (entry point `main`). */
export function selectLocalShader(c: ShaderConfig): string {
  const rs = range(SELECT_PER_INVOCATION);
  const C = SELECT_WORKGROUP * SELECT_PER_INVOCATION;
  const each = (body: string) => rs.map((r) => `{ let key = k${r}; let tie = ${C - 1}u - (${r}u * T + t); ${body} }`).join('\n    ');
  return [bindings(c), constants(c, SELECT_WORKGROUP), REDUCE_SCALARS, LOSS, KEYS, DECIDE, `
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let slot = decide(t, wid.x == 0u);
  let k = inp[H_K];
  let base = wid.x * ${C}u;
  let cAt = CANDS + wid.x * MAX_K * 2u;
  if (t < k) { scores[cAt + 2u * t] = 0u; scores[cAt + 2u * t + 1u] = 0xffffffffu; }
  let xOff = inp[H_EXCLUDE_OFF];
  let xCount = inp[H_EXCLUDE_COUNT];
  let x0 = lowerBound(xOff, xCount, 1u, base);
  let x1 = lowerBound(xOff, xCount, 1u, base + ${C}u);
  ${rs.map((r) => `let k${r} = keyAt(slot, base + ${r}u * T + t, x0, x1);`).join('\n  ')}
  ${radixSelect(each, 16)}
  storageBarrier();
  ${each(`if ${KEEP} { let p = atomicAdd(&cnt, 1u); if (p < k) { scores[cAt + 2u * p] = key; scores[cAt + 2u * p + 1u] = base + ${C - 1}u - tie; } }`)}
}
`].join('\n');
}

/** WGSL of select-merge (entry point `main`, one workgroup). */
export function selectMergeShader(c: ShaderConfig): string {
  const idBits = 8 * Math.max(1, Math.ceil(Math.log2(Math.max(2, c.n)) / 8));
  const tieMax = idBits >= 32 ? '0xffffffffu' : `${2 ** idBits - 1}u`;
  const each = (body: string) => `for (var c = t; c < nc; c += T) {
      let at = CANDS + ((c / k) * MAX_K + c % k) * 2u;
      let key = scores[at];
      let id = scores[at + 1u];
      let tie = ${tieMax} - id;
      ${body}
    }`;
  return [bindings(c), constants(c, SELECT_WORKGROUP), KEYS, `
var<workgroup> selK: array<u32, MAX_K>;
var<workgroup> selI: array<u32, MAX_K>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
  let k = inp[H_K];
  let steps = inp[H_STEPS];
  let nc = GA * k;
  ${radixSelect(each, idBits)}
  ${each(`if ${KEEP} { let p = atomicAdd(&cnt, 1u); if (p < k) { selK[p] = key; selI[p] = id; } }`)}
  workgroupBarrier();
  let filled = min(atomicLoad(&cnt), k);
  if (t < filled) {
    let mk = selK[t];
    let mi = selI[t];
    var rank = 0u;
    for (var u = 0u; u < filled; u++) {
      let ok = selK[u];
      if (ok > mk || (ok == mk && selI[u] < mi)) { rank++; }
    }
    if (mk > 0u) {
      work[W_OUT + O_IDS + rank] = f32(mi);
      work[W_OUT + O_SCORES + rank] = scoreOfKey(mk);
    }
  }
  if (t == 0u) {
    var valid = 0u;
    for (var u = 0u; u < filled; u++) { if (selK[u] > 0u) { valid++; } }
    work[W_OUT] = f32(valid);
    work[W_OUT + 1u] = work[W_FINAL + 1u];
    work[W_OUT + 2u] = work[W_FINAL];
    work[W_OUT + 3u] = f32(steps);
  }
  for (var w = t; w < W_STATE; w += T) { work[W_OUT + O_STATE + w] = work[W_FINAL + 4u + w]; }
  for (var w = t; w <= steps; w += T) { work[W_OUT + O_LOSSES + w] = work[W_LOSSES + w]; }
}
`].join('\n');
}
