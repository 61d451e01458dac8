// `npm run bench:artifact -- --sizes lastfm=/tmp/lastfm,shop45k=/tmp/m --quality movielens-100k=../shared/data/ml-100k,lastfm=../shared/data/lastfm-2k [--folds 0,1,2,3,4] [--counts 10,20,0] [--cache /tmp/folds] [--out bench/results/artifact-<date>.json] [--update]`
// Format v2 against v1: what a visitor downloads (per model directory written
// by `npm run train`), and protocol v1 nDCG@10 of the same trained model as
// float32 and as v2 (see artifact-sizes.ts, artifact-quality.ts). Prints tables
// and writes one JSON with the issue's `sizes` and `quality` rows.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_BIAS_DTYPE } from '../src/artifact/v2';
import { parseFlags } from '../src/cli/flags';
import { useNodeBackend } from '../src/cli/node-backend';
import { isDatasetFormat } from '../src/data/load';
import { measureQuality, type Variant } from './artifact-quality';
import { measureSizes, readV1Dir, type SizeReport } from './artifact-sizes';
import { benchLog, environment, printTables, resultPath, writeReport } from './support/output';

const flags = parseFlags(process.argv.slice(2), {
  sizes: { kind: 'string', example: 'lastfm=/tmp/lastfm,shop45k=/tmp/m' },
  quality: { kind: 'string', example: 'movielens-100k=../shared/data/ml-100k' },
  folds: { kind: 'string', example: '0,1,2,3,4' },
  counts: { kind: 'string', example: '10,20,0' },
  cache: { kind: 'string', example: '/tmp/localrec-folds' },
  out: { kind: 'string', example: 'bench/results/artifact.json' },
  update: { kind: 'bool', example: 'true' },
});
const log = benchLog('artifact', { clock: true });
const pairs = (text: unknown): [string, string][] =>
  String(text ?? '').split(',').filter(Boolean).map((p) => {
    const [name, path] = p.split('=');
    if (!name || !path) throw new Error(`"${p}" is not name=directory, e.g. --sizes lastfm=/tmp/lastfm`);
    return [name, path];
  });
const numbers = (text: unknown, fallback: number[]): number[] => (text === undefined ? fallback : String(text).split(',').map(Number));
const began = Date.now();
const out = resultPath(flags.out, 'artifact');
// 0 stands for every neighbour the model has (the shipped default).
const counts = numbers(flags.counts, [10, 20, 0]);

await useNodeBackend('wasm');
const sizes: SizeReport = { memory: [], sizes: [], parts: [], listEncodings: [], neighbourCounts: [] };
for (const [name, dir] of pairs(flags.sizes)) {
  const one = await measureSizes(name, await readV1Dir(resolve(dir)), counts, log);
  for (const key of Object.keys(sizes) as (keyof SizeReport)[]) (sizes[key] as object[]).push(...one[key]);
}

const variants: Variant[] = [
  { name: 'v2', options: {} },
  ...counts.filter((c) => c > 0).map((c) => ({ name: `v2, ${c} neighbours`, options: { neighbourCount: c } })),
  ...(['float32', 'int8'] as const).filter((d) => d !== DEFAULT_BIAS_DTYPE).map((d) => ({ name: `v2, prior ${d}`, options: { biasDtype: d } })),
  { name: 'v2, neighbour count chosen on validation', options: {}, chooseCount: true },
  // Levels of the int8 codes (the same layout; fewer levels, less entropy for gzip). The shipped context: ±DEFAULT_CONTEXT_CODES.
  { name: 'v2, context ±127 (all of int8)', options: { contextCodes: 127 } },
  { name: 'v2, context ±31', options: { contextCodes: 31 } },
  { name: 'v2, context ±7', options: { contextCodes: 7 } },
  { name: 'v2, vectors ±63', options: { vectorCodes: 63 } },
  { name: 'v2, vectors ±63, prior int8', options: { vectorCodes: 63, biasDtype: 'int8' } },
];
const quality = [];
const variantRows = [];
const evaluated: Record<string, unknown> = {};
for (const [format, dir] of pairs(flags.quality)) {
  if (!isDatasetFormat(format)) throw new Error(`--quality "${format}" is not a dataset format, e.g. movielens-100k or lastfm`);
  const folds = numbers(flags.folds, [0, 1, 2, 3, 4]);
  const result = await measureQuality(format, resolve(dir), { folds, variants, ...(flags.cache ? { cache: String(flags.cache) } : {}), log });
  quality.push(...result.quality);
  variantRows.push(...result.variants);
  evaluated[format] = { folds, users: result.users, timing: result.timing, neighbourCountsChosen: result.chosenCounts };
}

const report = {
  environment: environment({ minutes: (Date.now() - began) / 60_000 }),
  gzip: 'each file on its own, zlib level 6 (a web server default)',
  sizes: sizes.sizes,
  quality,
  parts: sizes.parts,
  listEncodings: sizes.listEncodings,
  neighbourCounts: sizes.neighbourCounts,
  memory: sizes.memory,
  qualityVariants: variantRows,
  evaluated,
  protocol: 'v1 (../shared/BENCHMARK.md): nDCG@10 over the folds\' test users; float32 = the runtime host path on the trained model, v2 = encoded, decoded, int8 click path',
};
printTables(
  [
    ['Sizes (bytes as served; gzip per file)', report.sizes],
    ['Quality: nDCG@10, float32 vs v2', report.quality.map((r) => ({ ...r, relative: r.v2 / r.float32 - 1 }))],
    ['Parts of v2 (each gzipped alone), B per item', report.parts],
    ['Neighbour list encodings, B per item', report.listEncodings],
    ['Neighbour counts: v2 weights, gzip B per item', report.neighbourCounts],
    ['In memory (Node): typed arrays of the decoded model under the int8 kernel, B per item (catalog objects not counted)', report.memory],
    ['Quality of v2 variants', report.qualityVariants],
  ],
  { skipEmpty: true },
);
// --update: keep the rows of an earlier run at --out for the models and datasets this run did not measure.
const merged = flags.update && existsSync(out) ? mergeWith(JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>) : report;
await writeReport(out, merged);

function mergeWith(earlier: Record<string, unknown>): Record<string, unknown> {
  const models = new Set(pairs(flags.sizes).map(([name]) => name));
  const datasets = new Set(pairs(flags.quality).map(([format]) => format));
  const keep = (key: string, field: 'model' | 'dataset', mine: readonly object[]): object[] => [
    ...((earlier[key] as Record<string, unknown>[] | undefined) ?? []).filter((row) => {
      const owner = String(row[field]);
      return field === 'dataset' ? !datasets.has(owner) : !models.has(owner.split(' ')[0]!);
    }),
    ...mine,
  ];
  return {
    ...report,
    environment: { ...report.environment, earlier: earlier['environment'] },
    sizes: keep('sizes', 'model', report.sizes),
    quality: keep('quality', 'dataset', report.quality),
    parts: keep('parts', 'model', report.parts),
    listEncodings: keep('listEncodings', 'model', report.listEncodings),
    neighbourCounts: keep('neighbourCounts', 'model', report.neighbourCounts),
    memory: keep('memory', 'model', report.memory),
    qualityVariants: keep('qualityVariants', 'dataset', report.qualityVariants),
    evaluated: { ...(earlier['evaluated'] as object), ...evaluated },
  };
}
log(`wrote ${out} in ${report.environment.minutes.toFixed(1)} min`);
