/**
 * The sweep pipeline: one dispatch per adaptation step plus one (the start),
 * G workgroups of 64 invocations.
 *
 * Workgroup size 64, a whole number of subgroups everywhere (4 on SwiftShader,
 * 32/64 on GPUs). The per-invocation partial sums (dim + 4 floats) fold
 * through the workgroup's scratch rows in the work buffer rather than
 * workgroup memory: SwiftShader pays for workgroup memory per workgroup
 * (≈ 0.9 ms for 10 KB), so each pipeline keeps under 1.5 KB of it. Layout: workgroup g sweeps the contiguous items
 * [g·⌈n/G⌉, (g+1)·⌈n/G⌉), invocation t every 64th of them from t (adjacent
 * invocations read adjacent rows); rows are d4 vec4s (float32) or d4 u32
 * words of 4 int8 codes, with (bias, scale) per item in rowmeta.
 *
 * Per item: s = scale·(v·u) + pop·bias, stored in score slot (j + base) % 2
 * (base: the slot the previous submission did not rank, so its scores survive
 * dispatch 0, which counts a rank in them), and the online softmax (running
 * max; Σe, Σe·bias, Σe·scale·codes rescaled when the max grows). Then the
 * range's sparse offsets (entries sorted by item, so a workgroup finds its own
 * by binary search and no other workgroup writes those scores):
 * s += knn·n + seq·t, and the sums are corrected by e^{s'} − e^{s}. The
 * workgroup's partial sums go to partial slot j % 2.
 * The last sweep (j = steps) keeps only (max, Σe): nothing steps from it;
 * ranking a given state without losses keeps nothing but the scores.
 */

import { bindings, constants, LOSS, REDUCE_SCALARS, type ShaderConfig } from './common';
import { SWEEP_WORKGROUP } from '../work-layout';
import { REDUCE_VECTORS, STATE } from './state';


const range = (k: number): number[] => Array.from({ length: k }, (_, i) => i);

/** WGSL of the sweep pipeline for one resident table (entry point `main`). */
export function sweepShader(c: ShaderConfig): string {
  return [bindings(c), constants(c, SWEEP_WORKGROUP), REDUCE_SCALARS, LOSS, REDUCE_VECTORS, STATE, sweepBody(c), MAIN].join('\n');
}

const MAIN = `
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let j = disp.j;
  gid = wid.x;
  // The final record is rewritten only after the sweeps: every dispatch 0 workgroup reads the same slot.
  if (j == 0u) { base = 1u - u32(work[W_FINAL + 2u]); } else { base = u32(work[W_REC + ((j - 1u) % 2u) * W_REC_WORDS + 3u]); }
  if (j == 0u) { start(t); } else { step(t, j); }
  if (wid.x == 0u) { record(t, j); }
  if (j == 0u) { countRank(wid.x, t); }
  // 2: scores and softmax sums (a step follows), 1: scores and (max, Σe) for the loss, 0: scores only.
  var mode = 0u;
  if (j < inp[H_STEPS]) { mode = 2u; } else if (inp[H_LOSSES] == 1u) { mode = 1u; }
  sweep(wid.x, t, j % 2u, (j + base) % 2u, mode);
}
`;

function sweepBody(c: ShaderConfig): string {
  const d4 = c.layout.d4;
  const int8 = c.format === 'int8';
  const qs = range(d4);
  // Row q of item i as a vec4 (codes unscaled for int8: the scale multiplies the dot product once).
  const load = (q: number) => (int8 ? `unpack8(vecs[ib + ${q}u])` : `vecs[ib + ${q}u]`);
  // Every mode's loop starts the same: item i's metadata and row (one prelude, so the modes cannot drift apart).
  const row = `let rm = rowmeta[i];
      let ib = i * D4;
      ${qs.map((q) => `let r${q} = ${load(q)};`).join(' ')}`;
  const dot = qs.map((q) => `dot(r${q}, u${q})`).join(' + ');
  const score = int8 ? `rm.y * (${dot}) + pop * rm.x` : `(${dot}) + pop * rm.x`;
  const scaleAll = (f: string) => qs.map((q) => `a${q} *= ${f};`).join(' ');
  const addAll = (e: string) => qs.map((q) => `a${q} += ${e} * r${q};`).join(' ');
  return `
fn sweep(g: u32, t: u32, pslot: u32, slot: u32, mode: u32) {
  let means = mode == 2u;
  let per = (N + G - 1u) / G;
  let lo = min(N, g * per);
  let hi = min(N, lo + per);
  ${qs.map((q) => `let u${q} = su[${q}];`).join(' ')}
  let pop = spw.x;
  let knn = spw.y;
  let seq = spw.z;
  let sb = slot * N;
  var m = SENT;
  var z = 0.0;
  var zb = 0.0;
  ${qs.map((q) => `var a${q} = vec4<f32>(0.0);`).join(' ')}
  if (means) {
    for (var i = lo + t; i < hi; i += T) {
      ${row}
      let s = ${score};
      scores[sb + i] = bitcast<u32>(s);
      if (s > m) { let f = safeExp(m - s); z *= f; zb *= f; ${scaleAll('f')} m = s; }
      let e = exp(s - m);
      z += e;
      zb += e * rm.x;
      let es = ${int8 ? 'e * rm.y' : 'e'};
      ${addAll('es')}
    }
  } else if (mode == 1u) {
    for (var i = lo + t; i < hi; i += T) {
      ${row}
      let s = ${score};
      scores[sb + i] = bitcast<u32>(s);
      if (s > m) { z *= safeExp(m - s); m = s; }
      z += exp(s - m);
    }
  } else {
    for (var i = lo + t; i < hi; i += T) {
      ${row}
      scores[sb + i] = bitcast<u32>(${score});
    }
  }
  // This range's sparse offsets, after every dense score of the range is stored.
  storageBarrier();
  let eOff = inp[H_ENTRY_OFF];
  let eCount = inp[H_ENTRY_COUNT];
  let e0 = lowerBound(eOff, eCount, 4u, lo);
  let e1 = lowerBound(eOff, eCount, 4u, hi);
  for (var k = e0 + t; k < e1; k += T) {
    let at = eOff + 4u * k;
    let i = inp[at];
    let nv = inF(at + 1u);
    let s = bitcast<f32>(scores[sb + i]);
    let s2 = s + knn * nv + seq * inF(at + 2u);
    scores[sb + i] = bitcast<u32>(s2);
    if (mode == 0u) { continue; }
    let top = max(s, s2);
    if (top > m) { let f = safeExp(m - top); z *= f; zb *= f; ${scaleAll('f')} m = top; }
    let e2 = safeExp(s2 - m);
    let de = e2 - safeExp(s - m);
    z += de;
    if (means) {
      let rm = rowmeta[i];
      zb += de * rm.x;
      ${qs.map((q) => `a${q} += de * vecRow(i, ${q}u);`).join(' ')}
    }
  }
  if (mode == 0u) { return; }
  let M = wgMax(t, m);
  let f = safeExp(m - M);
  let pAt = W_PARTIALS + pslot * W_PSLOT + g * 4u * P4;
  if (means) {
    var v: array<vec4<f32>, P4>;
    v[0] = vec4<f32>(0.0, z * f, zb * f, 0.0);
    ${qs.map((q) => `v[${q + 1}] = a${q} * f;`).join(' ')}
    reduceVec(t, &v);
    if (t < P4) {
      var res = sumAt(t);
      if (t == 0u) { res.x = M; }
      for (var w = 0u; w < 4u; w++) { work[pAt + 4u * t + w] = res[w]; }
    }
  } else {
    let Z = wgSum(t, z * f);
    if (t == 0u) { work[pAt] = M; work[pAt + 1u] = Z; }
  }
}
`;
}
