// `npm run bench -- --out bench/results/<name>.json [--quick] [--skip node,cold,peer,browser,worker] [--backends wasm,cpu] [--kernels tfjs,host,wgsl]`
// In Chromium (inside the benchmark worker, per backend): click → top 20,
// ranking alone, dispatches per click, memory over consecutive adaptations, the
// matrix-product peak; cold start on the production build; clicks through the
// recommender API (what `auto` chooses at 10k and 100k items). In Node: the PyTorch
// peer on the same artifacts and clicks, meta-training throughput. Prints
// tables and writes one JSON. ~10 minutes in full, ~3 with --quick.
import * as tf from '@tensorflow/tfjs';
import { parseFlags } from '../src/cli/flags';
import { NODE_BACKENDS, useNodeBackend } from '../src/cli/node-backend';
import { BACKENDS, type BackendName } from '../src/backend/names';
import { browserBench, type BenchKernel } from './browser/run-browser';
import { coldStarts } from './browser/cold-start';
import { workerClicks } from './browser/worker-clicks';
import { benchCatalog } from './catalogs';
import { trainingThroughput, type ThroughputRow } from './node-measures';
import { peerPhase, type PeerPhase } from './peer-phase';
import { agreement, limitRows, peerRatios, targets, wgslTargets, type ClickRow } from './report';
import { benchLog, environment, printTables, resultPath, writeReport } from './support/output';

const flags = parseFlags(process.argv.slice(2), {
  out: { kind: 'string', example: 'bench/results/browser.json' },
  quick: { kind: 'bool', example: 'true' },
  skip: { kind: 'string', example: 'node,cold' },
  backends: { kind: 'string', example: 'wasm,cpu' },
  kernels: { kind: 'string', example: 'tfjs,wgsl' },
});
const quick = Boolean(flags.quick);
const skip = new Set(String(flags.skip ?? '').split(',').filter(Boolean));
const backends = (flags.backends ? String(flags.backends).split(',') : [...BACKENDS]) as BackendName[];
const kernels = flags.kernels ? (String(flags.kernels).split(',') as BenchKernel[]) : undefined;
const unknownKernel = kernels?.find((k) => !['tfjs', 'host', 'wgsl'].includes(k));
if (unknownKernel) throw new Error(`--kernels: unknown kernel "${unknownKernel}"; use tfjs, host, wgsl.`);
const log = benchLog('bench');
const began = Date.now();

await useNodeBackend('cpu');
const catalogs = await Promise.all((quick ? [1_000, 10_000] : [1_000, 10_000, 100_000]).map(benchCatalog));
const clickCounts = [5, 20, 50];
const reps = quick ? 10 : 30;
const scoringItems = quick ? [10_000, 1_000_000] : [10_000, 100_000, 1_000_000];
const dim = 32;

// The peer runs before and after the browser measures; the faster of the two counts (the machine is shared).
// A failing peer is reported, not fatal: the browser measures are the expensive part.
const peerRuns: PeerPhase[] = [];
const peerErrors: string[] = [];
const runPeer = async (): Promise<void> => {
  try {
    peerRuns.push(await peerPhase(catalogs, clickCounts, reps, scoringItems, dim, log));
  } catch (error) {
    peerErrors.push((error as Error).message);
    log(`PyTorch peer failed: ${(error as Error).message}`);
  }
};
if (!skip.has('peer')) await runPeer();
const browser = skip.has('browser')
  ? null
  : await browserBench({ catalogs, clickCounts, reps, scoringItems, adaptations: quick ? 200 : 1000, budgetMs: quick ? 3000 : 6000, backends, ...(kernels ? { kernels } : {}), log });
if (!skip.has('peer')) await runPeer();
const coldStart = skip.has('cold') ? [] : await coldStarts(['auto', ...backends], quick ? 2 : 3, log);
// The worker's own choice and click path at the sizes around GPU_PROBE_ITEMS (100k is built from the demo model once, then cached).
const workerRows = skip.has('worker') ? [] : await workerClicks(await Promise.all([10_000, 100_000].map(benchCatalog)), ['auto', ...backends], quick ? 10 : 30, log);

const throughput: ThroughputRow[] = [];
if (!skip.has('node')) {
  // --quick: wasm only (the cpu backend trains ~10× slower and is not what training uses).
  for (const backend of quick ? (['wasm'] as const) : NODE_BACKENDS) {
    await useNodeBackend(backend);
    for (const algorithm of ['maml', 'fomaml', 'reptile', 'protonet', 'pretrain'] as const) {
      const row = await trainingThroughput(backend, algorithm, quick || backend === 'cpu' ? 10 : 30);
      throughput.push(row);
      log(`training ${backend} ${algorithm}: ${row.tasks_per_s.toFixed(0)} tasks/s`);
    }
  }
}

const fastest = <T extends { p50_ms: number }>(a: T, b: T | undefined): T => (b && b.p50_ms < a.p50_ms ? b : a);
const peerClick = peerRuns[0]?.clickToRanking.map((row, i) => fastest(row, peerRuns[1]?.clickToRanking[i])) ?? [];
const peerScoring = peerRuns[0]?.scoring.map((row, i) => fastest(row, peerRuns[1]?.scoring[i])) ?? [];
const clickRows = (browser?.clickToRanking ?? []) as ClickRow[];
const agreementRows = [...(browser?.rankings ?? [])].flatMap(([key, ranking]) => {
  const [backend, kernel, catalog, clicks] = key.split('/');
  const peer = peerRuns[0]?.firstRankings.get(`${catalog}/${clicks}`);
  return peer ? [{ backend, kernel, catalog: Number(catalog), clicks: Number(clicks), ...agreement(ranking, peer) }] : [];
});
const report = {
  environment: environment({
    tfjs: tf.version.tfjs,
    quick,
    minutes: 0,
    torch: peerRuns[0]?.torch,
    torchThreads: peerRuns[0]?.threads,
    webgpuAdapter: browser?.adapter ?? null,
    chromiumArgs: process.env.LOCALREC_CHROMIUM_ARGS ?? '',
    headed: process.env.LOCALREC_HEADED === '1',
  }),
  clickToRanking: clickRows,
  scoring: browser?.scoring ?? [],
  coldStart,
  workerClicks: workerRows,
  dispatches: browser?.dispatches ?? [],
  memory: browser?.memory ?? [],
  trainingThroughput: throughput,
  limit: limitRows(clickRows, (browser?.peak ?? []) as { backend: string; gflops: number }[], dim),
  peak: browser?.peak ?? [],
  peer: { clickToRanking: peerClick, scoring: peerScoring, runs: peerRuns.map((r) => r.clickToRanking) },
  peerRatio: peerRatios(clickRows, peerClick),
  agreement: agreementRows,
  hostAgreement: browser?.hostAgreement ?? [],
  gpuTime: browser?.gpuTime ?? [],
  skipped: [...(browser?.skipped ?? []), ...peerErrors.map((reason) => ({ measure: 'peer', reason }))],
  targets: [] as object[],
  wgslTargets: [] as object[],
};
report.targets = targets(report as Parameters<typeof targets>[0]);
report.wgslTargets = wgslTargets(report as unknown as Parameters<typeof wgslTargets>[0]);
report.environment.minutes = (Date.now() - began) / 60_000;

printTables([
  ['Targets (best backend)', report.targets],
  ['WGSL kernel targets (issue 15; same run)', report.wgslTargets],
  ['Click → re-ranked top 20 (inside the worker, after warm-up)', report.clickToRanking],
  ['Against the PyTorch peer (engine p50 / peer p50; ≤ 1 is as fast or faster)', report.peerRatio],
  ['Same top 20 as the peer', report.agreement],
  ['Ranking alone: top 100', report.scoring],
  ['PyTorch peer', [...peerClick, ...peerScoring.map((r) => ({ ...r, clicks: 'ranking alone' }))]],
  ['Cold start: navigation → first ranked list (production build, localhost)', report.coldStart],
  ['Clicks through the recommender API (page: click() → answer; auto\'s choice and reason)', report.workerClicks],
  ['Kernel dispatches per click (tf.profile; wgsl: counted by the kernel, with its read-backs)', report.dispatches],
  ['WGSL kernel against the host kernel on the same artifact (top ids, largest score difference)', report.hostAgreement],
  ['WGSL kernel: GPU time per dispatch (timestamp queries; sweeps…, select-local, select-merge), ms', report.gpuTime],
  ['Memory over consecutive adaptations', report.memory],
  ['Fraction of the limit (click FLOPs / time against the matrix-product peak)', report.limit],
  ['Meta-training throughput (Node, synthetic world)', report.trainingThroughput],
]);

const out = resultPath(flags.out, 'browser');
await writeReport(out, report);
log(`wrote ${out} in ${report.environment.minutes.toFixed(1)} minutes`);
