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
// The state this dispatch sweeps: user vector, then (pop, knn, 0, 0).
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
    spw = vec4<f32>(inF(H_POP0), inF(H_KNN0), 0.0, 0.0);
    dec = vec4<u32>(0u, 0u, 0u, 0u);
    decF = vec4<f32>(0.0);
  }
  workgroupBarrier();
}

// Folds partial slot p into sumAt = [(0, Z, Σe·bias, Σe·n), Σe·v...] relative to the returned max M:
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
    let slot = (j - 1u) % 2u;
    let M = partialsOf(slot, t);
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
    if (moving) { gradientStep(t, slot, keptAt, head, mine, ls.y); }
  }
  if (!moving) {
    // Stopped (now or earlier): sweep the kept state again, for the ranking.
    if (t < D4) { su[t] = vec4<f32>(work[keptAt + 4u * t], work[keptAt + 4u * t + 1u], work[keptAt + 4u * t + 2u], work[keptAt + 4u * t + 3u]); }
    if (t == 0u) { spw = vec4<f32>(work[keptAt + 4u * D4], work[keptAt + 4u * D4 + 1u], 0.0, 0.0); }
  }
  workgroupBarrier();
}

// su/spw = kept − rates ⊙ gradient. Gradient: mass · softmax means + Σ_slate coef_j · (v_j, bias_j, n_j),
// coef_j = −w_j + λ (q_j · mass − w_j) with q the slate softmax (hostStep, merged per slate item).
fn gradientStep(t: u32, slot: u32, keptAt: u32, head: vec4<f32>, mine: vec4<f32>, slateZ: f32) {
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
    v[D4] += vec4<f32>(coef * rowmeta[item].x, coef * inF(off + 4u * j + 2u), 0.0, 0.0);
  }
  reduceVec(t, &v);
  let z = head.y;
  if (t < D4) {
    let kept = vec4<f32>(work[keptAt + 4u * t], work[keptAt + 4u * t + 1u], work[keptAt + 4u * t + 2u], work[keptAt + 4u * t + 3u]);
    su[t] = kept - rateVec(t) * (mass * mine / z + sumAt(t));
  }
  if (t == 0u) {
    let pop = work[keptAt + 4u * D4];
    let knn = work[keptAt + 4u * D4 + 1u];
    let extra = sumAt(D4);
    spw = vec4<f32>(pop - inF(H_RATE_POP) * (mass * head.z / z + extra.x), knn - inF(H_RATE_KNN) * (mass * head.w / z + extra.y), 0.0, 0.0);
  }
}

// Workgroup 0 only (integers stored as float values, exact below 2^24): rec[j % 2] = [stopped, kept step, start loss, 0] + kept state + swept state; losses[j-1].
fn record(t: u32, j: u32) {
  let at = W_REC + (j % 2u) * W_REC_WORDS;
  let d = dec;
  let keptAt = d.z;
  for (var w = t; w < W_STATE; w += T) {
    var swept = 0.0;
    if (w < 4u * D4) { swept = su[w / 4u][w % 4u]; } else if (w < 4u * D4 + 2u) { swept = spw[w - 4u * D4]; }
    work[at + 4u + W_STATE + w] = swept;
    // At the start the kept state is the swept one.
    work[at + 4u + w] = select(work[keptAt + w], swept, j == 0u);
  }
  if (t == 0u) {
    work[at] = f32(d.x);
    work[at + 1u] = f32(d.y);
    work[at + 2u] = decF.x;
    work[at + 3u] = 0.0;
    if (d.w == 1u) { work[W_LOSSES + j - 1u] = decF.y; }
  }
}
`;
