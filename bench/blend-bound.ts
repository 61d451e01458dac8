// `npx tsx bench/blend-bound.ts --format lastfm --data ../shared/data/lastfm-2k [--folds 0] [--with-meta] [--out f.json]`
//
// How far could blending the strong components go? On the validation users of
// the given folds, scores z-normalised per user of iALS (the chosen baseline
// configuration per dataset), ItemKNN, log-popularity and optionally `meta` are
// blended with weights picked per k on those same users: an optimistic bound
// (tuned and judged on the same users) on what a combination of them reaches,
// next to iALS alone. Prints a table, writes JSON.
import { writeFile } from 'node:fs/promises';
import { parseFlags } from '../src/cli/flags';
import { useNodeBackend } from '../src/cli/node-backend';
import { DATASET_FORMATS, loadDataset, type DatasetFormat } from '../src/data/load';
import { buildFold, prepareData, PROTOCOL_DEFAULTS } from '../src/protocol/data';
import { ials } from '../src/eval/methods/ials';
import { METHODS } from '../src/eval/methods/index';
import { cosineIndex } from '../src/eval/methods/itemknn';
import { episodeMetrics } from '../src/protocol/metrics';

const flags = parseFlags(process.argv.slice(2), {
  format: { kind: 'string', example: 'lastfm', choices: DATASET_FORMATS },
  data: { kind: 'string', example: '../shared/data/lastfm-2k' },
  folds: { kind: 'string', example: '0' },
  'with-meta': { kind: 'bool', example: 'true' },
  out: { kind: 'string', example: 'bench/results/blend-bound-lastfm.json' },
});
const format = String(flags.format ?? 'lastfm') as DatasetFormat;
const folds = String(flags.folds ?? '0').split(',').map(Number);
const withMeta = Boolean(flags['with-meta']);
await useNodeBackend('wasm');
const data = prepareData(await loadDataset(format, String(flags.data ?? '../shared/data/lastfm-2k')), PROTOCOL_DEFAULTS.threshold);

const KS = [1, 3, 5, 10, 20];
// iALS as the benchmark's grid chose it on most folds of each dataset (bench/results/eval-*.json).
const IALS = format === 'lastfm' ? { dims: [64], alphas: [10], lambdas: [100] } : { dims: [32], alphas: [10], lambdas: [1000] };
const W_KNN = [0, 0.1, 0.2, 0.35, 0.5, 0.8, 1.2];
const W_POP = [0, 0.05, 0.1, 0.2, 0.4];
const W_META = withMeta ? [0, 0.3, 0.6, 1, 2, 4] : [0];
type Weights = readonly [ials: number, knn: number, pop: number, meta: number];

/** Scores standardised over the candidates; items a scorer ranks last on purpose (≤ -1e5) go just below the rest. */
function standardise(x: ArrayLike<number>, excluded: ReadonlySet<number>): Float64Array {
  let sum = 0, squares = 0, n = 0, low = Infinity;
  for (let i = 0; i < x.length; i++) {
    if (excluded.has(i) || x[i]! <= -1e5) continue;
    sum += x[i]!;
    squares += x[i]! * x[i]!;
    n++;
    low = Math.min(low, x[i]!);
  }
  const mean = sum / n;
  const sd = Math.sqrt(Math.max(squares / n - mean * mean, 1e-12));
  return Float64Array.from(x, (v) => ((v > -1e5 ? v : low - 1e-6) - mean) / sd);
}

const grid: Weights[] = [];
for (const wi of [0, 1]) for (const wk of W_KNN) for (const wp of W_POP) for (const wm of W_META) if (wi || wm) grid.push([wi, wk, wp, wm]);
const sums = new Map<string, number>();
let users = 0;
for (const f of folds) {
  const fold = buildFold(data, f, PROTOCOL_DEFAULTS.minPositives);
  const ialsScorer = await ials(IALS).fit(fold, { ks: KS });
  const metaScorer = withMeta ? await METHODS.meta!().fit(fold, { ks: KS }) : undefined;
  const knn = cosineIndex(fold);
  const pop = Float64Array.from(knn.counts, (c) => Math.log1p(c));
  for (const user of fold.validation) {
    users++;
    for (const k of KS) {
      const support = user.items.slice(0, k);
      const query = user.items.slice(k);
      const excluded = new Set(support);
      const knnRow = new Float64Array(fold.catalog.length);
      knn.accumulate(support, knnRow);
      const parts = [
        standardise(await ialsScorer.score(support), excluded),
        standardise(knnRow, excluded),
        standardise(pop, excluded),
        metaScorer ? standardise(await metaScorer.score(support), excluded) : undefined,
      ];
      const blended = new Float64Array(fold.catalog.length);
      for (const w of grid) {
        for (let i = 0; i < blended.length; i++) blended[i] = w[0] * parts[0]![i]! + w[1] * parts[1]![i]! + w[2] * parts[2]![i]! + (parts[3] ? w[3] * parts[3][i]! : 0);
        const key = `${k}|${w.join(',')}`;
        sums.set(key, (sums.get(key) ?? 0) + episodeMetrics(blended, support, query).ndcg10);
      }
    }
  }
  ialsScorer.dispose?.();
  metaScorer?.dispose?.();
}
const mean = (k: number, w: Weights) => (sums.get(`${k}|${w.join(',')}`) ?? 0) / users;
const rows = KS.map((k) => {
  const best = grid.reduce((a, b) => (mean(k, b) > mean(k, a) ? b : a));
  const alone = mean(k, [1, 0, 0, 0]);
  return { k, ials: alone, ...(withMeta ? { meta: mean(k, [0, 0, 0, 1]) } : {}), blend: mean(k, best), ratio: mean(k, best) / alone, weights: best };
});
console.log(`| k | iALS |${withMeta ? ' meta |' : ''} best blend | blend ÷ iALS | weights (iALS, ItemKNN, pop${withMeta ? ', meta' : ''}) |`);
console.log(`|---:|---:|${withMeta ? '---:|' : ''}---:|---:|---|`);
for (const r of rows) {
  console.log(`| ${r.k} | ${r.ials.toFixed(4)} |${withMeta ? ` ${r.meta!.toFixed(4)} |` : ''} ${r.blend.toFixed(4)} | ${r.ratio.toFixed(3)}× | ${r.weights.slice(0, withMeta ? 4 : 3).join(', ')} |`);
}
if (flags.out) await writeFile(String(flags.out), JSON.stringify({ format, folds, users, withMeta, ials: IALS, rows }, null, 2));
