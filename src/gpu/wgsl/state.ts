/**
 * WGSL of the state a sweep dispatch sweeps, established at its start by
 * every workgroup alike (the same inputs, the same instructions, so the same
 * bits): dispatch 0 builds the start from the clicks' context rows; dispatch
 * j ≥ 1 folds the previous sweep's partial sums into the catalog softmax,
 * evaluates the support loss of the state swept there, keeps or rolls it back
 * (adapt()'s rule), and takes the closed-form gradient step from the kept
 * state (core/host-kernel.ts hostStep). Workgroup 0 records the outcome.
 * Redundant across workgroups by design: it costs G partials + the slate's
 * rows per workgroup, and saves a dispatch per step.
 */

/**
 * Vector sums over the workgroup through its scratch rows in the work buffer:
 * every invocation writes its P4 vec4s to row t, invocations t < P4 add up
 * column t into row T, and everyone reads the sums from there.
 */
export const REDUCE_VECTORS = `
var<private> gid: u32;

fn scratchAt(r: u32, c: u32) -> u32 { return W_SCRATCH + gid * W_SCRATCH_WORDS + (r * P4 + c) * 4u; }

fn putScratch(r: u32, c: u32, x: vec4<f32>) {
  let at = scratchAt(r, c);
  work[at] = x.x;
  work[at + 1u] = x.y;
  work[at + 2u] = x.z;
  work[at + 3u] = x.w;
}

fn getScratch(r: u32, c: u32) -> vec4<f32> {
  let at = scratchAt(r, c);
  return vec4<f32>(work[at], work[at + 1u], work[at + 2u], work[at + 3u]);
}

// Column c of the last reduceVec / partialsOf.
fn sumAt(c: u32) -> vec4<f32> { return getScratch(T, c); }

// Sums every invocation's v; read the result with sumAt (uniform control flow).
fn reduceVec(t: u32, v: ptr<function, array<vec4<f32>, P4>>) {
  for (var c = 0u; c < P4; c++) { putScratch(t, c, (*v)[c]); }
  storageBarrier();
  if (t < P4) {
    var s = vec4<f32>(0.0);
    for (var r = 0u; r < T; r++) { s += getScratch(r, t); }
    putScratch(T, t, s);
  }
  storageBarrier();
}
`;

/** start(), step() and record(): see the module comment. Needs REDUCE_SCALARS, LOSS and REDUCE_VECTORS. */
export const STATE = `
// The state this dispatch sweeps: user vector, then (pop, knn, seq, 0).
var<workgroup> su: array<vec4<f32>, D4>;
var<workgroup> spw: vec4<f32>;
// (stopped, last kept step, work offset of the kept state or 0 for the start, loss computed)
var<workgroup> dec: vec4<u32>;
// (start loss, loss of the previous sweep, 0, 0)
var<workgroup> decF: vec4<f32>;

fn baseVec(q: u32) -> vec4<f32> {
  let at = inp[H_BASE_OFF] + 4u * q;
  return vec4<f32>(inF(at), inF(at + 1u), inF(at + 2u), inF(at + 3u));
}

fn rateVec(q: u32) -> vec4<f32> {
  let at = inp[H_RATE_OFF] + 4u * q;
  return vec4<f32>(inF(at), inF(at + 1u), inF(at + 2u), inF(at + 3u));
}

// Start: base + Σ coef · context row over the prototype list.
fn start(t: u32) {
  var v: array<vec4<f32>, P4>;
  let count = inp[H_PROTO_COUNT];
  let off = inp[H_PROTO_OFF];
  for (var c = t; c < count; c += T) {
    let item = inp[off + 2u * c];
    let coef = inF(off + 2u * c + 1u);
    for (var q = 0u; q < D4; q++) { v[q] += coef * ctxRow(item, q); }
  }
  reduceVec(t, &v);
  if (t < D4) { su[t] = baseVec(t) + sumAt(t); }
  if (t == 0u) {
    spw = vec4<f32>(inF(H_POP0), inF(H_KNN0), inF(H_SEQ0), 0.0);
    dec = vec4<u32>(0u, 0u, 0u, 0u);
    decF = vec4<f32>(0.0);
  }
  workgroupBarrier();
}

// Folds partial slot p into sumAt = [(0, Z, Σe·bias, 0), Σe·v...] relative to the returned max M:
// invocation t adds column t % P4 over every (T / P4)-th partial into scratch, then columns add up.
fn partialsOf(p: u32, t: u32) -> f32 {
  let base = W_PARTIALS + p * W_PSLOT;
  var mx = SENT;
  for (var g = t; g < G; g += T) { mx = max(mx, work[base + g * 4u * P4]); }
  let M = wgMax(t, mx);
  let groups = T / P4;
  let col = t % P4;
  var s = vec4<f32>(0.0);
  if (t / P4 < groups) {
    for (var g = t / P4; g < G; g += groups) {
      let at = base + g * 4u * P4;
      let x = vec4<f32>(work[at + 4u * col], work[at + 4u * col + 1u], work[at + 4u * col + 2u], work[at + 4u * col + 3u]);
      s += safeExp(work[at] - M) * x;
    }
  }
  putScratch(t / P4, col, s);
  storageBarrier();
  if (t < P4) {
    var tot = vec4<f32>(0.0);
    for (var r = 0u; r < groups; r++) { tot += getScratch(r, t); }
    if (t == 0u) { tot.x = 0.0; }
    putScratch(T, t, tot);
  }
  storageBarrier();
  return M;
}

// Step j: judge the state swept by dispatch j-1, then step from the kept one.
fn step(t: u32, j: u32) {
  let prev = W_REC + ((j - 1u) % 2u) * W_REC_WORDS;
  let accAt = prev + 4u;
  let candAt = prev + 4u + W_STATE;
  if (t == 0u) {
    dec = vec4<u32>(u32(work[prev]), u32(work[prev + 1u]), accAt, 0u);
    decF = vec4<f32>(work[prev + 2u], 0.0, 0.0, 0.0);
  }
  let before = workgroupUniformLoad(&dec);
  let beforeF = workgroupUniformLoad(&decF);
  var keptAt = accAt;
  var moving = false;
  if (before.x == 0u) {
    let pslot = (j - 1u) % 2u;
    let slot = (j - 1u + base) % 2u;
    let M = partialsOf(pslot, t);
    let head = sumAt(0u);
    let mine = sumAt(min(1u + t, P4 - 1u));
    let logZ = M + log(head.y);
    let ls = slateLoss(slot, logZ, t);
    var startLoss = beforeF.x;
    if (j == 1u) { startLoss = ls.x; }
    let bad = j > 1u && exploded(ls.x, startLoss);
    if (!bad) { keptAt = candAt; moving = true; }
    workgroupBarrier();
    if (t == 0u) {
      dec = vec4<u32>(select(0u, 1u, bad), select(j - 1u, before.y, bad), keptAt, 1u);
      decF = vec4<f32>(startLoss, ls.x, 0.0, 0.0);
    }
    if (moving) { gradientStep(t, slot, keptAt, head, mine, ls.y, logZ); }
  }
  if (!moving) {
    // Stopped (now or earlier): sweep the kept state again, for the ranking.
    if (t < D4) { su[t] = vec4<f32>(work[keptAt + 4u * t], work[keptAt + 4u * t + 1u], work[keptAt + 4u * t + 2u], work[keptAt + 4u * t + 3u]); }
    if (t == 0u) { spw = vec4<f32>(work[keptAt + 4u * D4], work[keptAt + 4u * D4 + 1u], work[keptAt + 4u * D4 + 2u], 0.0); }
  }
  workgroupBarrier();
}

// su/spw = kept − rates ⊙ gradient. Gradient: mass · softmax means + Σ_slate coef_j · (v_j, bias_j, n_j, t_j),
// coef_j = −w_j + λ (q_j · mass − w_j) with q the slate softmax (hostStep, merged per slate item). The
// softmax means of the sparse rows (n, t) come from the entries' scores in slot: p_i = e^(s_i − logZ).
fn gradientStep(t: u32, slot: u32, keptAt: u32, head: vec4<f32>, mine: vec4<f32>, slateZ: f32, logZ: f32) {
  let count = inp[H_SLATE_COUNT];
  let off = inp[H_SLATE_OFF];
  let lambda = inF(H_LAMBDA);
  let mass = inF(H_MASS);
  var v: array<vec4<f32>, P4>;
  for (var j = t; j < count; j += T) {
    let item = inp[off + 4u * j];
    let w = inF(off + 4u * j + 1u);
    let q = select(0.0, safeExp(scoreAt(slot, item) - slateZ), lambda > 0.0);
    let coef = -w + lambda * (q * mass - w);
    for (var d = 0u; d < D4; d++) { v[d] += coef * vecRow(item, d); }
    v[D4] += vec4<f32>(coef * rowmeta[item].x, coef * inF(off + 4u * j + 2u), coef * inF(off + 4u * j + 3u), 0.0);
  }
  let eOff = inp[H_ENTRY_OFF];
  let eCount = inp[H_ENTRY_COUNT];
  for (var k = t; k < eCount; k += T) {
    let at = eOff + 4u * k;
    let p = mass * safeExp(scoreAt(slot, inp[at]) - logZ);
    v[D4] += vec4<f32>(0.0, p * inF(at + 1u), p * inF(at + 2u), 0.0);
  }
  reduceVec(t, &v);
  let z = head.y;
  if (t < D4) {
    let kept = vec4<f32>(work[keptAt + 4u * t], work[keptAt + 4u * t + 1u], work[keptAt + 4u * t + 2u], work[keptAt + 4u * t + 3u]);
    su[t] = kept - rateVec(t) * (mass * mine / z + sumAt(t));
  }
  if (t == 0u) {
    let w = vec3<f32>(work[keptAt + 4u * D4], work[keptAt + 4u * D4 + 1u], work[keptAt + 4u * D4 + 2u]);
    let g = sumAt(D4);
    let rates = vec3<f32>(inF(H_RATE_POP), inF(H_RATE_KNN), inF(H_RATE_SEQ));
    spw = vec4<f32>(w - rates * vec3<f32>(mass * head.z / z + g.x, g.y, g.z), 0.0);
  }
}

// Workgroup 0 only (integers stored as float values, exact below 2^24): rec[j % 2] = [stopped, kept step, start loss,
// score slot base] + kept state + swept state; losses[j-1]; the swept state also into the read-back's trace[j].
fn record(t: u32, j: u32) {
  let at = W_REC + (j % 2u) * W_REC_WORDS;
  let d = dec;
  let keptAt = d.z;
  for (var w = t; w < W_STATE; w += T) {
    var swept = 0.0;
    if (w < 4u * D4) { swept = su[w / 4u][w % 4u]; } else if (w < 4u * D4 + 3u) { swept = spw[w - 4u * D4]; }
    work[at + 4u + W_STATE + w] = swept;
    work[W_OUT + O_TRACE + j * W_STATE + w] = swept;
    // At the start the kept state is the swept one.
    work[at + 4u + w] = select(work[keptAt + w], swept, j == 0u);
  }
  if (t == 0u) {
    work[at] = f32(d.x);
    work[at + 1u] = f32(d.y);
    work[at + 2u] = decF.x;
    work[at + 3u] = f32(base);
    if (d.w == 1u) { work[W_LOSSES + j - 1u] = decF.y; }
  }
}

// Dispatch 0 only: how many items of workgroup g's range beat the counted item under the previous
// submission's ranked scores (slot 1 − base, which no dispatch of this submission writes before the next),
// by protocol/metrics rankOf's rule: a higher score, or an equal one at a lower index; NaN ranks last.
fn countRank(g: u32, t: u32) {
  let item = inp[H_COUNT_TARGET];
  if (item == NO_COUNT) { return; }
  let old = (1u - base) * N;
  let per = (N + G - 1u) / G;
  let lo = min(N, g * per);
  let hi = min(N, lo + per);
  let off = inp[H_COUNT_EXCLUDE_OFF];
  let xs = inp[H_COUNT_EXCLUDE_COUNT];
  let tk = rankKey(scores[old + item]);
  var c = 0u;
  for (var i = lo + t; i < hi; i += T) {
    let k = rankKey(scores[old + i]);
    if (i != item && (k > tk || (k == tk && i < item))) {
      let x = lowerBound(off, xs, 1u, i);
      if (!(x < xs && inp[off + x] == i)) { c++; }
    }
  }
  let total = wgSum(t, f32(c));
  if (t == 0u) { work[W_COUNTS + g] = total; }
}
`;
