// A deliberately plain float64 reference of one visitor's click under the
// order-aware model (/work/briefs/model-v2.md), written from the formulas,
// dense over the catalog and sharing no code with src/: what the WGSL kernel
// is compared with (the host kernel joins once it computes the same model).

export interface ReferenceLists {
  readonly m: number;
  readonly ids: Int32Array;
  readonly sims: Float32Array;
}

export interface ReferenceModel {
  readonly n: number;
  readonly dim: number;
  /** [n × dim] row-major. */
  readonly vectors: Float32Array;
  readonly bias: Float32Array;
  readonly context: Float32Array;
  readonly userInit: Float32Array;
  readonly logLrUser: Float32Array;
  readonly popInit: number;
  readonly protoScale: number;
  readonly logShrink: number;
  readonly logLrPop: number;
  readonly logKnnInit: number;
  readonly logLrKnn: number;
  readonly logitDecay: number;
  readonly logSeqInit: number;
  readonly logLrSeq: number;
  readonly neighbours?: ReferenceLists;
  readonly transitions?: ReferenceLists;
}

export interface ReferenceClick {
  readonly clicks: readonly number[];
  readonly negatives: readonly number[];
  readonly clickWeights?: readonly number[];
  readonly negativeWeight: number;
  readonly steps: number;
  readonly k: number;
  /** Start from the clicks' recency weights alone (core's initialState takes no rating weights). */
  readonly unratedStart?: boolean;
}

export interface ReferenceState {
  readonly user: number[];
  readonly pop: number;
  readonly knn: number | null;
  readonly seq: number | null;
}

export interface ReferenceOutcome {
  readonly start: ReferenceState;
  readonly state: ReferenceState;
  /** Loss of each kept step (0: the start). */
  readonly losses: number[];
  readonly rolledBack: boolean;
  readonly top: number[];
  readonly scores: number[];
  /** The full score row of the kept state. */
  readonly all: number[];
}

const LOOKBACK = 5;
const EXPLODED = 10;

/** The model-v2 click: start, `steps` closed-form steps with adapt()'s rollback rule, top k without the clicked items. */
export function referenceClick(model: ReferenceModel, click: ReferenceClick): ReferenceOutcome {
  const { n, dim } = model;
  const t = click.clicks.length;
  const decay = Math.fround(1 / (1 + Math.exp(-model.logitDecay)));
  const a = click.clicks.map((_, j) => decay ** (t - 1 - j) * (click.clickWeights?.[j] ?? 1));
  const total = a.reduce((x, y) => x + y, 0);
  const w = a.map((x) => (total > 0 ? x / total : 0));
  const trust = t / (t + Math.exp(model.logShrink));
  const row = (lists: ReferenceLists | undefined, weights: readonly number[]): number[] | null => {
    if (!lists) return null;
    const out = new Array<number>(n).fill(0);
    click.clicks.forEach((c, j) => {
      for (let s = 0; s < lists.m; s++) {
        const i = lists.ids[c * lists.m + s]!;
        if (i >= 0) out[i]! += weights[j]! * lists.sims[c * lists.m + s]!;
      }
    });
    return out;
  };
  const nRow = row(model.neighbours, w);
  const seqW = click.clicks.map((_, j) => (t - 1 - j < LOOKBACK ? decay ** (t - 1 - j) : 0));
  const sRow = row(model.transitions, seqW);

  const unrated = click.clicks.map((_, j) => decay ** (t - 1 - j));
  const wStart = click.unratedStart ? unrated.map((x) => x / unrated.reduce((p, q) => p + q, 0)) : w;
  const user = Array.from(model.userInit, (u, d) => u + model.protoScale * trust * click.clicks.reduce((s, c, j) => s + wStart[j]! * model.context[c * dim + d]!, 0));
  let state: ReferenceState = { user, pop: model.popInit, knn: nRow ? Math.exp(model.logKnnInit) * trust : null, seq: sRow ? Math.exp(model.logSeqInit) : null };
  const start = state;
  const rates = { user: Array.from(model.logLrUser, (l) => trust * Math.exp(l)), pop: trust * Math.exp(model.logLrPop), knn: trust * Math.exp(model.logLrKnn), seq: trust * Math.exp(model.logLrSeq) };

  const pos = new Array<number>(n).fill(0);
  click.clicks.forEach((c, j) => (pos[c]! += w[j]!));
  const mass = total > 0 ? 1 : 0;
  const clicked = new Set(click.clicks);
  const shown = [...new Set(click.negatives)].filter((i) => !clicked.has(i));
  const lambda = shown.length > 0 && click.negativeWeight > 0 ? click.negativeWeight : 0;
  const slate = [...clicked, ...shown];

  const scoresOf = (s: ReferenceState): number[] =>
    Array.from({ length: n }, (_, i) => {
      let v = s.pop * model.bias[i]!;
      for (let d = 0; d < dim; d++) v += s.user[d]! * model.vectors[i * dim + d]!;
      return v + (s.knn ?? 0) * (nRow?.[i] ?? 0) + (s.seq ?? 0) * (sRow?.[i] ?? 0);
    });
  const logSumExp = (xs: number[]) => {
    const m = Math.max(...xs);
    return m + Math.log(xs.reduce((z, x) => z + Math.exp(x - m), 0));
  };
  const lossOf = (scores: number[]) => {
    const logZ = logSumExp(scores);
    const slateZ = lambda > 0 ? logSumExp(slate.map((i) => scores[i]!)) : 0;
    return slate.reduce((l, i) => l - pos[i]! * (scores[i]! - logZ) - lambda * pos[i]! * (scores[i]! - slateZ), 0);
  };

  let scores = scoresOf(state);
  const losses = [lossOf(scores)];
  let rolledBack = false;
  for (let step = 1; step <= click.steps; step++) {
    const logZ = logSumExp(scores);
    const slateZ = lambda > 0 ? logSumExp(slate.map((i) => scores[i]!)) : 0;
    const g = scores.map((s, i) => Math.exp(s - logZ) * mass - pos[i]!);
    if (lambda > 0) for (const i of slate) g[i]! += lambda * (Math.exp(scores[i]! - slateZ) * mass - pos[i]!);
    const dot = (other: (i: number) => number) => g.reduce((sum, gi, i) => sum + gi * other(i), 0);
    const next: ReferenceState = {
      user: state.user.map((u, d) => u - rates.user[d]! * dot((i) => model.vectors[i * dim + d]!)),
      pop: state.pop - rates.pop * dot((i) => model.bias[i]!),
      knn: state.knn === null ? null : state.knn - rates.knn * dot((i) => nRow![i]!),
      seq: state.seq === null ? null : state.seq - rates.seq * dot((i) => sRow![i]!),
    };
    const nextScores = scoresOf(next);
    const loss = lossOf(nextScores);
    if (!Number.isFinite(loss) || loss > EXPLODED * Math.max(losses[0]!, 1)) {
      rolledBack = true;
      break;
    }
    state = next;
    scores = nextScores;
    losses.push(loss);
  }
  const order = Array.from({ length: n }, (_, i) => i)
    .filter((i) => !clicked.has(i))
    .sort((x, y) => scores[y]! - scores[x]! || x - y)
    .slice(0, click.k);
  return { start, state, losses, rolledBack, top: order, scores: order.map((i) => scores[i]!), all: scores };
}
