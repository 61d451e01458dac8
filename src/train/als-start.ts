import { spdInverse } from '../math/linalg';
import { factorGram, trainIalsWithin } from '../math/ials';
import { transpose, userItemMatrix, type Csr } from '../math/sparse';
import type { Neighbours } from '../core/neighbours';
import type { ItemInputs } from '../core/types';
import { disposeParams, fromArrays, type MetaParams, type ModelShape, type ParamName } from '../core/params';
import { contentRegression, type ContentMatrix, type ContentRegression } from './content-map';
import { SILENT_REPORTER, type TrainReporter } from './progress';
import { SCREEN_KEEP, screenCandidates } from './screening';

/**
 * A second way to start the item side: implicit ALS (Hu, Koren & Volinsky) on
 * the training users. Item vectors are T·y_i and context vectors
 * (1 + α)(YᵀY + λI)⁻¹ y_i, so the prototype start of one click is exactly ALS's
 * fold-in of that click (Sherman-Morrison) and of several clicks its
 * first-order form. The small head on top (item-item weight, popularity weight,
 * inner rate) is chosen on validation users by a coordinate search.
 *
 * Why: on sparse catalogs (Last.fm: most artists have one or two training
 * users) pooled pretraining plus MAML learns item vectors worse than ALS's
 * closed-form alternation does, and meta-gradient training from the ALS start
 * made validation worse (0.379 → 0.35 on Last.fm fold 0, at outer rates
 * 0.03 and 0.003, with and without users held out of ALS).
 */

export interface AlsStartConfig {
  readonly dim: number;
  readonly alpha: number;
  /** λ candidates (ridge of ALS and of the fold-in). */
  readonly lambdas: readonly number[];
  /** Logit scale T: ALS scores live in [0, 1]; the catalog softmax of the adaptation steps needs a sharper range. */
  readonly temperature: number;
  readonly seed: number;
}

/** The head of an ALS start: the few scalars the search tunes. */
export interface AlsHead {
  readonly lambda: number;
  /** Start weight of the item-item term (before the evidence k/(k+κ)); 0 without neighbours. */
  readonly knn: number;
  /** Weight of log(1 + training popularity) in the prior. */
  readonly pop: number;
  /** Inner learning rate of every adapted parameter. */
  readonly innerLr: number;
}

export interface AlsStart {
  readonly arrays: Record<ParamName, Float32Array>;
  readonly head: AlsHead;
  readonly mean: number;
  readonly byK: Record<number, number>;
  readonly trials: readonly { readonly head: AlsHead; readonly validation: number }[];
  /** Trials run before the time budget ended the search; absent when it ran to the end. */
  readonly stoppedAfter?: number;
  /** ALS iterations behind the chosen λ when the time budget cut its run short (of ALS_ITERATIONS); absent when it ran them all. */
  readonly iterationsRun?: number;
  /** The item-item × popularity grid's screen, when one ran: its users and every head's score there (the kept heads are in `trials`). */
  readonly screened?: { readonly users: number; readonly trials: readonly { readonly head: AlsHead; readonly validation: number }[] };
}

/** ALS iterations of a full run (each leaves a valid solution, so the budget may stop after any, the first at least). */
export const ALS_ITERATIONS = 10;
/** The stage a budget stop inside an ALS run is recorded under (`training.budget.stoppedEarly`; its iteration: the iterations run). */
export const ALS_ITERATIONS_STAGE = 'ALS iterations';

const KNN = [0.25, 0.5, 1, 2, 4, 8];
const POP = [0, 0.1, 0.3];
const INNER_LR = [0.01, 0.1, 0.3];

/** Item-side arrays of an ALS start; with content, the id embeddings are residuals of the content maps. */
export interface AlsEmbeddings {
  readonly itemEmb: Float32Array;
  readonly ctxEmb: Float32Array;
  readonly contentW?: Float32Array;
  readonly contentCtx?: Float32Array;
  /** ALS iterations run: ALS_ITERATIONS unless the time budget ended the run early. */
  readonly iterations?: number;
}

/** What every λ's ALS run shares: the training matrices and the content regression. */
export interface AlsData {
  readonly items: number;
  readonly userItems: Csr;
  readonly itemUsers: Csr;
  readonly content?: ContentRegression;
}

/** The training matrices (and, given content, its factored regression), built once for every λ. */
export function alsData(train: readonly Int32Array[], items: number, content?: ContentMatrix): AlsData {
  const userItems = userItemMatrix(train);
  return { items, userItems, itemUsers: transpose(userItems, items), ...(content ? { content: contentRegression(content) } : {}) };
}

/** ALS item and context embeddings ([items, dim] each, row-major), and content maps when the data has content; `outOfTime` may end ALS after any iteration. */
export function alsEmbeddings(data: AlsData, cfg: AlsStartConfig, lambda: number, outOfTime?: () => boolean): AlsEmbeddings {
  const plain = alsFactors(data, cfg, lambda, outOfTime);
  return data.content ? splitByContent(plain, data.content, cfg.dim) : plain;
}

/** ALS's item and context embeddings alone (no content maps); `outOfTime` is asked after each ALS iteration (trainIalsWithin). */
export function alsFactors(data: Pick<AlsData, 'items' | 'userItems' | 'itemUsers'>, cfg: AlsStartConfig, lambda: number, outOfTime?: () => boolean): AlsEmbeddings {
  const d = cfg.dim;
  const items = data.items;
  const run = trainIalsWithin(data.userItems, data.itemUsers, { dim: d, alpha: cfg.alpha, lambda }, { iterations: ALS_ITERATIONS, cgSteps: 3, seed: cfg.seed, ...(outOfTime ? { outOfTime } : {}) });
  const y = run.items;
  const gram = factorGram(y, items, d);
  for (let a = 0; a < d; a++) gram[a * d + a] += lambda;
  const kinv = spdInverse(gram, d);
  const itemEmb = new Float32Array(items * d);
  const ctxEmb = new Float32Array(items * d);
  for (let i = 0; i < items; i++) {
    const o = i * d;
    for (let a = 0; a < d; a++) {
      itemEmb[o + a] = cfg.temperature * y[o + a]!;
      let c = 0;
      for (let b = 0; b < d; b++) c += kinv[a * d + b]! * y[o + b]!;
      ctxEmb[o + a] = (1 + cfg.alpha) * c;
    }
  }
  return { itemEmb, ctxEmb, iterations: run.iterations };
}

/** Embeddings as content maps (the regression on the items' features) plus id residuals. */
export function splitByContent(plain: AlsEmbeddings, content: ContentRegression, d: number): AlsEmbeddings {
  const vectors = content.split(plain.itemEmb, d);
  const contexts = content.split(plain.ctxEmb, d);
  return { itemEmb: vectors.residual, ctxEmb: contexts.residual, contentW: vectors.map, contentCtx: contexts.map, ...(plain.iterations !== undefined ? { iterations: plain.iterations } : {}) };
}

/** Every parameter of an ALS start: `base` supplies the shapes, the rest is zero or set by the head. */
export function alsParams(base: Record<ParamName, Float32Array>, emb: AlsEmbeddings, head: AlsHead): Record<ParamName, Float32Array> {
  const zeros = (n: number) => new Float32Array(n);
  const lr = Math.log(head.innerLr);
  // κ = exp(logShrink) = 1: one click counts 1/2, and protoScale 2 makes it the full fold-in.
  return {
    ...base,
    itemEmb: emb.itemEmb,
    ctxEmb: emb.ctxEmb,
    contentW: emb.contentW ?? zeros(base.contentW.length),
    contentCtx: emb.contentCtx ?? zeros(base.contentCtx.length),
    contentBias: zeros(base.contentBias.length),
    itemBias: zeros(base.itemBias.length),
    userInit: zeros(base.userInit.length),
    popInit: new Float32Array([1]),
    popWeight: new Float32Array([head.pop]),
    protoScale: new Float32Array([2]),
    logShrink: new Float32Array([0]),
    logLrUser: new Float32Array(base.logLrUser.length).fill(lr),
    logLrPop: new Float32Array([lr]),
    logLrKnn: new Float32Array([lr]),
    logKnnInit: new Float32Array([Math.log(Math.max(head.knn, 1e-12))]),
  };
}

/** What the head search works on: the training users, the model's item inputs and the validation episodes. */
export interface AlsSearch {
  readonly train: readonly Int32Array[];
  /** Parameter arrays of the model's shape (values overwritten by the start). */
  readonly base: Record<ParamName, Float32Array>;
  readonly shape: ModelShape;
  readonly inputs: ItemInputs;
  readonly content: ContentMatrix;
  /** Scores a candidate on the validation users (the trainer's objective, with the runtime's steps). */
  readonly validate: (params: MetaParams) => Promise<{ mean: number; byK: Record<number, number> }>;
  /** Adaptation steps the runtime takes (the head's inner rate is searched only when there are any). */
  readonly steps: number;
  readonly neighbours: Neighbours | undefined;
  /** Where each trial is reported. */
  readonly reporter?: TrainReporter;
  /** Time (on `now`'s clock) after which no new trial starts and a running ALS stops after its current iteration (the time budget's share); the best so far is kept. */
  readonly deadline?: number;
  /** The clock `deadline` is on, ms (default performance.now; tests inject one). */
  readonly now?: () => number;
  /**
   * Where runs on the same training users and item side keep the ALS factors of each λ (they
   * depend on neither the objective nor the head): `shared(key, make)` returns what `make` made
   * under `key` the first time (RunOptions.shared, keyed by the caller for the item side). Unused with a deadline.
   */
  readonly shared?: <T>(key: string, make: () => T) => T;
  /**
   * The item-item × popularity grid's screen (train/screening): the same objective on a seeded
   * part of the validation users. Absent: every head of the grid is validated on all of them.
   */
  readonly screen?: { readonly users: number; readonly validate: (params: MetaParams) => Promise<{ mean: number }> };
}

/**
 * The best ALS start on the validation users: λ first (at the middle head),
 * then the item-item and popularity weights together, then the inner rate.
 */
export async function selectAlsStart(search: AlsSearch, cfg: AlsStartConfig): Promise<AlsStart> {
  if (cfg.lambdas.length === 0) throw new Error('The ALS start needs at least one ridge λ to try (alsLambdas is empty), e.g. [10, 100, 1000].');
  const { train, base, shape, content, validate, steps, neighbours } = search;
  const trials: { head: AlsHead; validation: number }[] = [];
  const embeddings = new Map<number, AlsEmbeddings>();
  // A run cut short by its deadline depends on the clock: only whole runs are shared.
  const keep = search.shared && search.deadline === undefined ? search.shared : <T>(_key: string, make: () => T): T => make();
  const settings = JSON.stringify({ dim: cfg.dim, alpha: cfg.alpha, temperature: cfg.temperature, seed: cfg.seed });
  let shared: AlsData | undefined;
  let best: AlsStart | undefined;
  const knns = neighbours ? KNN : [0];
  const reporter = search.reporter ?? SILENT_REPORTER;
  const now = search.now ?? (() => performance.now());
  const deadline = search.deadline;
  const outOfTime = deadline === undefined ? undefined : (): boolean => now() >= deadline;
  // λs, one more beyond an edge, the item-item × popularity grid (screened, then its best), the inner rates.
  const gridSize = knns.length * POP.length - 1;
  const screening = search.screen && gridSize > SCREEN_KEEP ? search.screen : undefined;
  const planned = cfg.lambdas.length + (cfg.lambdas.length > 1 ? 1 : 0) + (screening ? gridSize + SCREEN_KEEP : gridSize) + (steps > 0 ? INNER_LR.length - 1 : 0);
  reporter.stage('ALS start', planned, 'trials');
  let skipped = 0;
  // Trials and screens run so far, for the progress bar.
  let progress = 0;
  const tryHead = async (head: AlsHead): Promise<void> => {
    // Out of time: one trial at least, then none that has not started.
    if (best && outOfTime?.()) {
      skipped += 1;
      return;
    }
    if (!embeddings.has(head.lambda)) {
      const make = () => alsEmbeddings((shared ??= alsData(train, shape.items, content)), cfg, head.lambda, outOfTime);
      embeddings.set(head.lambda, keep(`ALS factors ${settings} lambda=${head.lambda}`, make));
    }
    const arrays = alsParams(base, embeddings.get(head.lambda)!, head);
    const params = fromArrays(arrays, shape);
    try {
      const v = await validate(params);
      trials.push({ head, validation: v.mean });
      reporter.advance(++progress, `λ ${head.lambda} knn ${head.knn} pop ${head.pop} lr ${head.innerLr}: ${v.mean.toFixed(4)}`);
      if (!best || v.mean > best.mean) best = { arrays, head, mean: v.mean, byK: v.byK, trials };
    } finally {
      disposeParams(params);
    }
  };
  const middle = { knn: neighbours ? 2 : 0, pop: 0, innerLr: INNER_LR[0]! };
  for (const lambda of cfg.lambdas) await tryHead({ ...middle, lambda });
  // An optimum at the edge of the λ grid may lie beyond it: look one decade further out.
  const edge = best!.head.lambda === Math.max(...cfg.lambdas) ? 10 : best!.head.lambda === Math.min(...cfg.lambdas) ? 0.1 : 0;
  if (edge > 0 && cfg.lambdas.length > 1) await tryHead({ ...middle, lambda: best!.head.lambda * edge });
  const lambda = best!.head.lambda;
  const grid: AlsHead[] = [];
  for (const knn of knns) for (const pop of POP) if (knn !== middle.knn || pop !== middle.pop) grid.push({ lambda, knn, pop, innerLr: middle.innerLr });
  let screened: AlsStart['screened'];
  let finalists = grid;
  if (screening) {
    const screen = async (head: AlsHead): Promise<number | undefined> => {
      if (outOfTime?.()) return undefined;
      const params = fromArrays(alsParams(base, embeddings.get(lambda)!, head), shape);
      try {
        const { mean } = await screening.validate(params);
        reporter.advance(++progress, `screen λ ${lambda} knn ${head.knn} pop ${head.pop}: ${mean.toFixed(4)}`);
        return mean;
      } finally {
        disposeParams(params);
      }
    };
    const { kept, scores } = await screenCandidates(grid, screen);
    skipped += grid.length - scores.length;
    finalists = kept;
    screened = { users: screening.users, trials: scores.map((s) => ({ head: s.candidate, validation: s.score })) };
  }
  for (const head of finalists) await tryHead(head);
  if (steps > 0) {
    const chosen = best!.head;
    for (const innerLr of INNER_LR.slice(1)) await tryHead({ ...chosen, innerLr });
  }
  reporter.advance(planned);
  const ran = embeddings.get(best!.head.lambda)!.iterations ?? ALS_ITERATIONS;
  return { ...best!, ...(skipped > 0 ? { stoppedAfter: trials.length } : {}), ...(ran < ALS_ITERATIONS ? { iterationsRun: ran } : {}), ...(screened ? { screened } : {}) };
}

