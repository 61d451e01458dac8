/**
 * WGSL shared by the click pipelines: the bindings (one layout for every
 * stage), the constants of one resident table, row reads for both table
 * formats, scalar workgroup reductions and the support loss. Generated as
 * template strings because the row width, the catalog size and the work
 * layout are constants of the resident table, so loops over a row unroll.
 */

import { INPUT_WGSL } from '../input-layout';
import { MAX_K, SELECT_BUFFER, type WorkLayout } from '../work-layout';

/** What every shader of one resident table is compiled for. */
export interface ShaderConfig {
  readonly format: 'float32' | 'int8';
  /** Items. */
  readonly n: number;
  readonly dim: number;
  /** Workgroups of each sweep dispatch (partials the next dispatch reduces). */
  readonly sweepGroups: number;
  /** Workgroups of the ranking's first stage. */
  readonly selectGroups: number;
  readonly layout: WorkLayout;
}

/**
 * Group 0 (one bind group per resident table and workspace):
 *   0 vecs      item vectors: float32 rows of d4 vec4s, or int8 rows of d4 u32 (4 codes each)
 *   1 rowmeta   per item (bias, vector scale); the scale is 1 for float32 tables
 *   2 ctxs      context vectors, same format as vecs
 *   3 ctxScale  per item context scale (int8 tables; a placeholder otherwise)
 *   4 inp       the click's input (input-layout.ts), u32 words
 *   5 work      states, losses, partial sums, the read-back record (work-layout.ts)
 *   6 scores    two slots of n score bits, then the ranking's candidates
 * Group 1: the dispatch's index j (uniform, dynamic offset) for the sweeps.
 */
export function bindings(c: ShaderConfig): string {
  const row = c.format === 'float32' ? 'vec4<f32>' : 'u32';
  return `
@group(0) @binding(0) var<storage, read> vecs: array<${row}>;
@group(0) @binding(1) var<storage, read> rowmeta: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> ctxs: array<${row}>;
@group(0) @binding(3) var<storage, read> ctxScale: array<f32>;
@group(0) @binding(4) var<storage, read> inp: array<u32>;
@group(0) @binding(5) var<storage, read_write> work: array<f32>;
@group(0) @binding(6) var<storage, read_write> scores: array<u32>;
struct Dispatch { j: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(1) @binding(0) var<uniform> disp: Dispatch;
`;
}

/** Constants, input accessors and row reads (dequantized for int8). */
export function constants(c: ShaderConfig, workgroupSize: number): string {
  const L = c.layout;
  const d4 = L.d4;
  const int8 = c.format === 'int8';
  return `
const T = ${workgroupSize}u;
const N = ${c.n}u;
const D4 = ${d4}u;
const P4 = ${d4 + 1}u;
const G = ${c.sweepGroups}u;
const GA = ${c.selectGroups}u;
const MAX_K = ${MAX_K}u;
const W_REC = ${L.rec}u;
const W_REC_WORDS = ${L.recWords}u;
const W_STATE = ${L.stateWords}u;
const W_FINAL = ${L.final}u;
const W_LOSSES = ${L.losses}u;
const W_PARTIALS = ${L.partials}u;
const W_PSLOT = ${L.partialSlotWords}u;
const W_COUNTS = ${L.counts}u;
const W_OUT = ${L.out}u;
const O_LOSSES = ${L.outLosses}u;
const O_STATE = ${L.outState}u;
const O_IDS = ${L.outIds}u;
const O_SCORES = ${L.outScores}u;
const O_TRACE = ${L.outTrace}u;
const CANDS = ${2 * c.n}u;
const W_SCRATCH = ${L.scratch}u;
const W_SCRATCH_WORDS = ${L.scratchWords}u;
const CAP = ${SELECT_BUFFER}u;
// Each ranking workgroup's entry buffer [CAP] and kept list [MAX_K] in scores.
const S_SCRATCH = ${2 * c.n + c.selectGroups * MAX_K * 2}u;
// Far below any score, yet finite: WGSL may assume no infinities.
const SENT = -3.0e38;
${INPUT_WGSL}

fn inF(i: u32) -> f32 { return bitcast<f32>(inp[i]); }

// The score slot (0 or 1) this submission's first sweep writes: not the one the previous submission ranked.
var<private> base: u32;

// Order-preserving key of a score's bits; -0 counts as +0 and NaN below every number (1); 0 = absent.
fn keyOf(bits: u32) -> u32 {
  let b = select(bits, 0u, bits == 0x80000000u);
  if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u) { return 1u; }
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

// keyOf with NaN as -Infinity, as protocol/metrics ranks it.
fn rankKey(bits: u32) -> u32 { return max(keyOf(bits), keyOf(0xff800000u)); }

// exp that is 0 where the argument would underflow (and for the sentinel).
fn safeExp(x: f32) -> f32 { return select(exp(x), 0.0, x < -87.0); }

// Finite test on the bits: a compiler may fold x != x away.
fn isFiniteF(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }

fn scoreAt(slot: u32, i: u32) -> f32 { return bitcast<f32>(scores[slot * N + i]); }

// Four int8 codes (byte b = dimension 4q + b) as floats.
fn unpack8(w: u32) -> vec4<f32> {
  return vec4<f32>((vec4<i32>(bitcast<i32>(w)) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u));
}

// vec4 q of item i's vector / context vector, dequantized.
fn vecRow(i: u32, q: u32) -> vec4<f32> { return ${int8 ? 'unpack8(vecs[i * D4 + q]) * rowmeta[i].y' : 'vecs[i * D4 + q]'}; }
fn ctxRow(i: u32, q: u32) -> vec4<f32> { return ${int8 ? 'unpack8(ctxs[i * D4 + q]) * ctxScale[i]' : 'ctxs[i * D4 + q]'}; }

// First index in [0, count) of a sorted list (stride words apart) whose item is ≥ value.
fn lowerBound(off: u32, count: u32, stride: u32, value: u32) -> u32 {
  var lo = 0u;
  var hi = count;
  loop {
    if (lo >= hi) { break; }
    let mid = (lo + hi) / 2u;
    if (inp[off + mid * stride] < value) { lo = mid + 1u; } else { hi = mid; }
  }
  return lo;
}
`;
}

/**
 * Scalar reductions over the workgroup: every invocation passes its value and
 * gets the result (uniform). Thread 0 folds T values: fewer barriers than a
 * tree, which matters where barriers are coroutine switches (SwiftShader).
 */
export const REDUCE_SCALARS = `
var<workgroup> scal: array<f32, T>;
var<workgroup> bcast: f32;

fn wgMax(t: u32, x: f32) -> f32 {
  scal[t] = x;
  workgroupBarrier();
  if (t == 0u) {
    var m = scal[0];
    for (var r = 1u; r < T; r++) { m = max(m, scal[r]); }
    bcast = m;
  }
  return workgroupUniformLoad(&bcast);
}

fn wgSum(t: u32, x: f32) -> f32 {
  scal[t] = x;
  workgroupBarrier();
  if (t == 0u) {
    var s = 0.0;
    for (var r = 0u; r < T; r++) { s += scal[r]; }
    bcast = s;
  }
  return workgroupUniformLoad(&bcast);
}
`;

/**
 * The catalog softmax of a finished sweep and the support loss. headOf folds
 * the sweep workgroups' (max, Σe) of partial slot p into (M, Z); slateLoss is
 * core/host-kernel.ts hostLoss over the slate list: clicked items against the
 * catalog (logZ) and, weighted λ, against the slate (slateZ). Returns (loss, slateZ).
 */
export const LOSS = `
fn headOf(p: u32, t: u32) -> vec2<f32> {
  let base = W_PARTIALS + p * W_PSLOT;
  var mx = SENT;
  for (var g = t; g < G; g += T) { mx = max(mx, work[base + g * 4u * P4]); }
  let M = wgMax(t, mx);
  var z = 0.0;
  for (var g = t; g < G; g += T) {
    let at = base + g * 4u * P4;
    z += work[at + 1u] * safeExp(work[at] - M);
  }
  return vec2<f32>(M, wgSum(t, z));
}

fn slateLoss(slot: u32, logZ: f32, t: u32) -> vec2<f32> {
  let count = inp[H_SLATE_COUNT];
  let off = inp[H_SLATE_OFF];
  let lambda = inF(H_LAMBDA);
  var slateZ = 0.0;
  if (lambda > 0.0) {
    var mx = SENT;
    for (var j = t; j < count; j += T) { mx = max(mx, scoreAt(slot, inp[off + 4u * j])); }
    let M = wgMax(t, mx);
    var z = 0.0;
    for (var j = t; j < count; j += T) { z += safeExp(scoreAt(slot, inp[off + 4u * j]) - M); }
    slateZ = M + log(wgSum(t, z));
  }
  var loss = 0.0;
  for (var j = t; j < count; j += T) {
    let w = inF(off + 4u * j + 1u);
    let s = scoreAt(slot, inp[off + 4u * j]);
    loss += w * (logZ - s) + lambda * w * (slateZ - s);
  }
  return vec2<f32>(wgSum(t, loss), slateZ);
}

// adapt()'s rule: a step whose loss is not finite or exceeds explode × max(start loss, 1) is undone.
fn exploded(loss: f32, startLoss: f32) -> bool {
  return !isFiniteF(loss) || loss > inF(H_EXPLODE_FACTOR) * max(startLoss, 1.0);
}
`;
