/**
 * What one click hands the GPU, built on the host from the visitor's feedback:
 * everything whose size is the clicks' (not the catalog's). The order-aware
 * model's math (the lead's briefs/model-v2; core/recency.ts, core/transitions.ts):
 * recency weights w_j ∝ decay^(t-1-j) · r_j weigh the prototype, the support
 * loss and the item-item row; the last 5 clicks, the j-th most recent weighing
 * decay^j, make the sequential row; the evidence is the click count's. Pure:
 * Node tests use it.
 */

import type { Neighbours } from '../core/neighbours';
import { decayOf, recencyWeights } from '../core/recency';
import { seqWeights } from '../core/transitions';
import type { ClickInput, ClickModel, ClickRequest, OffsetRows } from './click-types';
import { MAX_K, MAX_STEPS } from './work-layout';

const DEFAULT_EXPLODE = 10;

/** The per-click input of `request` on `model`; throws naming any bad item, weight or setting. */
export function clickInput(model: ClickModel, request: ClickRequest): ClickInput {
  const { constants: c, n, dim } = model;
  checkRequest(model, request);
  const t = request.clicks.length;
  const decay = decayOf(c.logitDecay);
  const share = clickShares(t, decay, request.clickWeights);
  const trust = t / (t + Math.exp(c.logShrink));
  const given = request.rows;
  const nRow = given ? rowMap(given.items, given.n) : model.neighbours ? listRow(model.neighbours, request.clicks, share) : new Map<number, number>();
  const tRow = given ? rowMap(given.items, given.t) : model.transitions ? listRow(model.transitions, request.clicks, seqWeights(t, decay).weights) : new Map<number, number>();
  const start = request.start;
  const proto = new Map<number, number>();
  if (!start) request.clicks.forEach((item, i) => proto.set(item, (proto.get(item) ?? 0) + c.protoScale * trust * share[i]!));
  const slate = slateOf(request, share);
  const seqStart = Math.fround(Math.exp(c.logSeqInit));
  return {
    n,
    dim,
    steps: request.steps,
    k: request.k,
    base: Float32Array.from(start ? start.user : c.userInit),
    rateUser: Float32Array.from(c.logLrUser, (l) => trust * Math.exp(l)),
    pop0: start ? start.pop : c.popInit,
    knn0: !model.neighbours ? 0 : start ? (start.knn ?? 0) : Math.fround(Math.exp(c.logKnnInit) * trust),
    // What follows the last click is as telling after one click as after fifty: no evidence factor.
    seq0: !model.transitions ? 0 : start ? (start.seq ?? seqStart) : seqStart,
    ratePop: Math.fround(trust * Math.exp(c.logLrPop)),
    rateKnn: model.neighbours ? Math.fround(trust * Math.exp(c.logLrKnn)) : 0,
    rateSeq: model.transitions ? Math.fround(trust * Math.exp(c.logLrSeq)) : 0,
    lambda: slate.lambda,
    mass: share.some((w) => w > 0) ? 1 : 0,
    explodeFactor: request.explodeFactor ?? DEFAULT_EXPLODE,
    losses: request.steps > 0 || request.losses !== false,
    proto: { items: Int32Array.from(proto.keys()), coefs: Float32Array.from(proto.values()) },
    slate: { ...slate, n: Float32Array.from(slate.items, (i) => nRow.get(i) ?? 0), t: Float32Array.from(slate.items, (i) => tRow.get(i) ?? 0) },
    entries: offsetEntries(nRow, tRow),
    exclude: sortedSet(request.exclude ?? request.clicks),
    count: request.count ? { target: request.count.target, exclude: sortedSet(Array.from(request.count.exclude).filter((i) => i !== request.count!.target)) } : null,
  };
}

/**
 * Normalised weight of each click: decay^(t-1-j) · r_j over their sum (core/recency
 * recencyWeights times the rating weights), all 0 when no click weighs anything.
 */
export function clickShares(t: number, decay: number, ratings?: Float32Array): Float64Array {
  const recency = recencyWeights(t, decay).weights;
  if (!ratings) return recency;
  const raw = recency.map((w, j) => w * ratings[j]!);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => (total > 0 ? w / total : 0));
}

/**
 * A row over the catalog from per-item lists (neighbours or transitions) as
 * sparse entries: Σ_c weight_c · list value(c → i), summed in click order in
 * float32 as core/neighbours.ts neighbourRow does (bit-identical with it).
 */
export function listRow(lists: Neighbours, clicks: ArrayLike<number>, weights: ArrayLike<number>): Map<number, number> {
  const { m, ids, sims } = lists;
  const row = new Map<number, number>();
  for (let c = 0; c < clicks.length; c++) {
    if (weights[c] === 0) continue;
    const base = clicks[c]! * m;
    for (let s = 0; s < m; s++) {
      const i = ids[base + s]!;
      if (i < 0) break;
      row.set(i, Math.fround((row.get(i) ?? 0) + weights[c]! * sims[base + s]!));
    }
  }
  return row;
}

/** The item-item and sequential rows merged into entries (item, n, t) sorted by item; entries zero in both dropped. */
export function offsetEntries(nRow: ReadonlyMap<number, number>, tRow: ReadonlyMap<number, number>): OffsetRows {
  const items = sortedSet([...nRow.keys(), ...tRow.keys()]).filter((i) => (nRow.get(i) ?? 0) !== 0 || (tRow.get(i) ?? 0) !== 0);
  return { items, n: Float32Array.from(items, (i) => nRow.get(i) ?? 0), t: Float32Array.from(items, (i) => tRow.get(i) ?? 0) };
}

/** The slate as core/host-kernel.ts hostFeedback builds it: distinct clicked items in click order, then the shown ones. */
function slateOf(request: ClickRequest, share: Float64Array): { items: Int32Array; weights: Float32Array; lambda: number } {
  const onSlate = new Map<number, number>();
  request.clicks.forEach((item, i) => onSlate.set(item, (onSlate.get(item) ?? 0) + share[i]!));
  const shown = Array.from(request.negatives).filter((item) => !onSlate.has(item));
  for (const item of shown) onSlate.set(item, 0);
  const lambda = shown.length > 0 && request.negativeWeight > 0 ? request.negativeWeight : 0;
  return { items: Int32Array.from(onSlate.keys()), weights: Float32Array.from(onSlate.values()), lambda };
}

function rowMap(items: Int32Array, values: Float32Array): Map<number, number> {
  return new Map(Array.from(items, (i, j) => [i, values[j]!]));
}

function sortedSet(items: ArrayLike<number>): Int32Array {
  return Int32Array.from(new Set(Array.from(items))).sort();
}

function checkRequest(model: ClickModel, r: ClickRequest): void {
  const items = (name: string, list: ArrayLike<number> | undefined) => {
    if (!list) return;
    for (let j = 0; j < list.length; j++) {
      const i = list[j]!;
      if (!Number.isInteger(i) || i < 0 || i >= model.n) {
        throw new Error(`${name}[${j}] is item ${i}, outside the catalog (${model.n.toLocaleString('en-US')} items): pass catalog indices 0 … ${model.n - 1}.`);
      }
    }
  };
  items('clicks', r.clicks);
  items('negatives', r.negatives);
  items('exclude', r.exclude);
  items('count.target', r.count ? [r.count.target] : undefined);
  items('count.exclude', r.count?.exclude);
  items('rows.items', r.rows?.items);
  if (r.rows && (r.rows.n.length !== r.rows.items.length || r.rows.t.length !== r.rows.items.length)) {
    throw new Error(`rows: give ${r.rows.items.length} item-item and sequential values (one per item), got ${r.rows.n.length} and ${r.rows.t.length}.`);
  }
  if (r.clickWeights && (r.clickWeights.length !== r.clicks.length || !r.clickWeights.every((w) => Number.isFinite(w) && w >= 0))) {
    throw new Error(`clickWeights must be ${r.clicks.length} finite weights ≥ 0 (one per click), got ${r.clickWeights.length}: ${Array.from(r.clickWeights.slice(0, 5)).join(', ')}….`);
  }
  if (!Number.isInteger(r.k) || r.k < 1 || r.k > MAX_K) throw new Error(`k = ${r.k}: the GPU ranking returns 1 … ${MAX_K} items.`);
  if (!Number.isInteger(r.steps) || r.steps < 0 || r.steps > MAX_STEPS) throw new Error(`steps = ${r.steps}: the GPU kernel takes 0 … ${MAX_STEPS} steps.`);
  if (!(r.negativeWeight >= 0)) throw new Error(`negativeWeight = ${r.negativeWeight}: use a weight ≥ 0.`);
  const s = r.start;
  if (s && (s.user.length !== model.dim || !s.user.every(Number.isFinite) || ![s.pop, s.knn ?? 0, s.seq ?? 0].every(Number.isFinite))) {
    throw new Error(`start.user has ${s.user.length} values, expected ${model.dim} finite numbers (and finite pop, knn, seq).`);
  }
}
