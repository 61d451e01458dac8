/**
 * What one click hands the GPU, built on the host from the visitor's feedback:
 * everything whose size is the clicks' (not the catalog's). The same math as
 * the host kernel (core/host-kernel.ts hostFeedback, core/host-path.ts
 * hostInitialState and hostRun), with a weight per click used everywhere: the
 * prototype, the support loss and the item-item row. Pure: Node tests use it.
 */

import type { Neighbours } from '../core/neighbours';
import { MAX_K, MAX_STEPS } from './work-layout';

/** The meta-parameters adaptation reads, as numbers (read once per model). */
export interface AdaptConstants {
  /** [dim] the meta-initialization of the user vector. */
  readonly userInit: Float32Array;
  /** [dim] log inner learning rates of the user vector. */
  readonly logLrUser: Float32Array;
  readonly popInit: number;
  readonly protoScale: number;
  /** log κ: k clicks count k / (k + κ). */
  readonly logShrink: number;
  readonly logLrPop: number;
  readonly logKnnInit: number;
  readonly logLrKnn: number;
}

/** A visitor's parameters as numbers: user vector [dim], popularity weight, item-item weight. */
export interface GpuState {
  readonly user: Float32Array;
  readonly pop: number;
  readonly knn?: number;
}

/** A sparse row over the catalog: distinct items and one value each. */
export interface SparseRow {
  readonly items: Int32Array;
  readonly values: Float32Array;
}

/** One click's request: feedback, adaptation settings and the ranking wanted. */
export interface ClickRequest {
  /** Clicked items, oldest first; repeats count again. */
  readonly clicks: Int32Array;
  /** Items shown and not clicked. */
  readonly negatives: Int32Array;
  /** A weight per click (default 1): in the prototype, the loss and the item-item row. */
  readonly clickWeights?: Float32Array;
  /** Gradient steps (0: rank the start). */
  readonly steps: number;
  /** Total weight of the impressions against the clicks' 1. */
  readonly negativeWeight: number;
  /** Items to rank, 1 … MAX_K. */
  readonly k: number;
  /** Items left out of the ranking (default: the clicked ones). */
  readonly exclude?: Int32Array;
  /** Start from these parameters instead of the clicks' prototype. */
  readonly start?: GpuState;
  /** A second sparse score offset with a fixed weight: score_i += weight · row_i (e.g. item → next-item transitions). */
  readonly transitions?: { readonly weight: number; readonly row: SparseRow };
  /** A step whose loss exceeds this multiple of max(start loss, 1) is rolled back (default 10, as adapt()). */
  readonly explodeFactor?: number;
  /**
   * Compute the support loss (default true). Ranking a state without steps
   * may leave it out: the sweep then skips the catalog softmax.
   */
  readonly losses?: boolean;
}

/** The per-click input, ready to pack for the GPU (see input-layout.ts). */
export interface ClickInput {
  readonly n: number;
  readonly dim: number;
  readonly steps: number;
  readonly k: number;
  /** [dim] start user vector before the prototype's rows are added. */
  readonly base: Float32Array;
  /** [dim] per-coordinate step sizes (evidence × exp(logLrUser)). */
  readonly rateUser: Float32Array;
  readonly pop0: number;
  readonly knn0: number;
  readonly ratePop: number;
  readonly rateKnn: number;
  /** Weight of the slate term (0 without impressions). */
  readonly lambda: number;
  /** 1 with clicks, 0 without. */
  readonly mass: number;
  readonly transitionWeight: number;
  readonly explodeFactor: number;
  /** Whether the losses are computed (always with steps > 0). */
  readonly losses: boolean;
  /** Distinct items whose context rows start the user vector, and their coefficients. */
  readonly proto: { readonly items: Int32Array; readonly coefs: Float32Array };
  /** Distinct slate items (clicked, then shown), the clicks' weight on each, and their item-item value. */
  readonly slate: { readonly items: Int32Array; readonly weights: Float32Array; readonly n: Float32Array };
  /** Sparse score offsets sorted by item: item-item value n and transition value t. */
  readonly entries: { readonly items: Int32Array; readonly n: Float32Array; readonly t: Float32Array };
  /** Sorted distinct items left out of the ranking. */
  readonly exclude: Int32Array;
}

/** The model side of a click: its constants, catalog size and dimension, and any neighbour lists. */
export interface ClickModel {
  readonly constants: AdaptConstants;
  readonly n: number;
  readonly dim: number;
  readonly neighbours?: Neighbours;
}

const DEFAULT_EXPLODE = 10;

/** The per-click input of `request` on `model`; throws naming any bad item, weight or setting. */
export function clickInput(model: ClickModel, request: ClickRequest): ClickInput {
  const { constants: c, n, dim } = model;
  checkRequest(model, request);
  const weights = Float64Array.from(request.clicks, (_, i) => request.clickWeights?.[i] ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const trust = total / (total + Math.exp(c.logShrink));
  const share = weights.map((w) => (total > 0 ? w / total : 0));
  const nRow = model.neighbours ? neighbourEntries(model.neighbours, request.clicks, share) : new Map<number, number>();
  const start = request.start;
  const proto = new Map<number, number>();
  if (!start) request.clicks.forEach((item, i) => proto.set(item, (proto.get(item) ?? 0) + c.protoScale * trust * share[i]!));
  const slate = slateOf(request, share);
  return {
    n,
    dim,
    steps: request.steps,
    k: request.k,
    base: Float32Array.from(start ? start.user : c.userInit),
    rateUser: Float32Array.from(c.logLrUser, (l) => trust * Math.exp(l)),
    pop0: start ? start.pop : c.popInit,
    knn0: !model.neighbours ? 0 : start ? (start.knn ?? 0) : Math.fround(Math.exp(c.logKnnInit) * trust),
    ratePop: Math.fround(trust * Math.exp(c.logLrPop)),
    rateKnn: model.neighbours ? Math.fround(trust * Math.exp(c.logLrKnn)) : 0,
    lambda: slate.lambda,
    mass: total > 0 ? 1 : 0,
    transitionWeight: request.transitions?.weight ?? 0,
    explodeFactor: request.explodeFactor ?? DEFAULT_EXPLODE,
    losses: request.steps > 0 || request.losses !== false,
    proto: { items: Int32Array.from(proto.keys()), coefs: Float32Array.from(proto.values()) },
    slate: { items: slate.items, weights: slate.weights, n: Float32Array.from(slate.items, (i) => nRow.get(i) ?? 0) },
    entries: offsetEntries(nRow, request.transitions?.row),
    exclude: Int32Array.from(new Set(request.exclude ?? request.clicks)).sort(),
  };
}

/**
 * The visitor's item-item row as sparse entries: Σ_c share_c · similarity(c → i)
 * over each clicked item's neighbour list, summed in click order in float32 as
 * core/neighbours.ts neighbourRow does (bit-identical with shares 1/k).
 */
export function neighbourEntries(neighbours: Neighbours, clicks: ArrayLike<number>, share: ArrayLike<number>): Map<number, number> {
  const { m, ids, sims } = neighbours;
  const row = new Map<number, number>();
  for (let c = 0; c < clicks.length; c++) {
    const base = clicks[c]! * m;
    for (let s = 0; s < m; s++) {
      const i = ids[base + s]!;
      if (i < 0) break;
      row.set(i, Math.fround((row.get(i) ?? 0) + share[c]! * sims[base + s]!));
    }
  }
  return row;
}

/** The item-item row and a transition row merged into entries (item, n, t) sorted by item; zero entries dropped. */
export function offsetEntries(nRow: ReadonlyMap<number, number>, tRow?: SparseRow): ClickInput['entries'] {
  const merged = new Map<number, [number, number]>();
  for (const [item, value] of nRow) if (value !== 0) merged.set(item, [value, 0]);
  tRow?.items.forEach((item, j) => {
    const value = tRow.values[j]!;
    if (value !== 0) merged.set(item, [merged.get(item)?.[0] ?? 0, value]);
  });
  const items = Int32Array.from(merged.keys()).sort();
  return { items, n: Float32Array.from(items, (i) => merged.get(i)![0]), t: Float32Array.from(items, (i) => merged.get(i)![1]) };
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
  items('transitions.row.items', r.transitions?.row.items);
  if (r.clickWeights && (r.clickWeights.length !== r.clicks.length || !r.clickWeights.every((w) => Number.isFinite(w) && w >= 0))) {
    throw new Error(`clickWeights must be ${r.clicks.length} finite weights ≥ 0 (one per click), got ${r.clickWeights.length}: ${Array.from(r.clickWeights.slice(0, 5)).join(', ')}….`);
  }
  if (!Number.isInteger(r.k) || r.k < 1 || r.k > MAX_K) throw new Error(`k = ${r.k}: the GPU ranking returns 1 … ${MAX_K} items.`);
  if (!Number.isInteger(r.steps) || r.steps < 0 || r.steps > MAX_STEPS) throw new Error(`steps = ${r.steps}: the GPU kernel takes 0 … ${MAX_STEPS} steps.`);
  if (!(r.negativeWeight >= 0)) throw new Error(`negativeWeight = ${r.negativeWeight}: use a weight ≥ 0.`);
  if (r.start && (r.start.user.length !== model.dim || !r.start.user.every(Number.isFinite) || !Number.isFinite(r.start.pop))) {
    throw new Error(`start.user has ${r.start.user.length} values, expected ${model.dim} finite numbers (and a finite pop).`);
  }
  if (r.transitions && (r.transitions.row.values.length !== r.transitions.row.items.length || !Number.isFinite(r.transitions.weight))) {
    throw new Error('transitions: give one value per item and a finite weight.');
  }
}
