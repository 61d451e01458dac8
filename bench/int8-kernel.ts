// `npm run bench:int8 -- [--out bench/results/int8-kernel-<date>.json] [--quick]`
// Node, one thread: ranking (scores + top k) and a click (start, 2 steps,
// top k) on a float32 item table (the host kernel of simd-kernel.ts) against
// the same table as int8 rows (int8-kernel.ts: SIMD with an int16 user vector,
// SIMD in f32 lanes, plain loops), at 10k / 100k / 1M items, top 20 and 100.
// Random tables: the work per item does not depend on the values.
import { loadavg } from 'node:os';
import { parseFlags } from '../src/cli/flags';
import { createProgress } from '../src/cli/progress';
import { hostFeedback, hostStep, scoresOnly, sweep, type HostItems } from '../src/core/host-kernel';
import type { Int8Rows } from '../src/core/int8-rows';
import { int8Kernel, threePasses, type Int8KernelKind } from '../src/core/int8-kernel';
import { dequantizeAll, quantizeRows } from '../src/core/int8-rows';
import { createRng } from '../src/math/rng';
import { simdTable } from '../src/core/simd-kernel';
import { topK } from '../src/math/top-k';
import { clickCases, percentile, summary } from './stats';
import { benchLog, environment, printTables, resultPath, writeReport } from './support/output';

const flags = parseFlags(process.argv.slice(2), {
  out: { kind: 'string', example: 'bench/results/int8-kernel.json' },
  quick: { kind: 'bool', example: 'true' },
});
const quick = Boolean(flags.quick);
const out = resultPath(flags.out, 'int8-kernel');
const DIM = 32;
const STEPS = 2;
const CLICKS = 5;
const sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
const reps = (n: number): number => (n >= 1_000_000 ? 9 : n >= 100_000 ? 25 : 60);

interface Row {
  items: number;
  k: number;
  kernel: string;
  measure: 'rank' | 'click';
  p50_ms: number;
  p95_ms: number;
  n: number;
  /** Process CPU time of the run (user + system), p50: less sensitive than wall time to the other jobs on this machine. */
  cpu_p50_ms: number;
  /** Bytes of the item vectors and scales the sweeps read, per item. */
  table_bytes_per_item: number;
}

const rows: Row[] = [];
const loadBefore = loadavg();
const progress = createProgress('int8 bench');
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
/** Wall and CPU time of one run, ms. */
const time = (f: () => void): [number, number] => {
  const [t0, c0] = [performance.now(), cpuMs()];
  f();
  return [performance.now() - t0, cpuMs() - c0];
};

/** The host kernel's int8 table: the rows handed to a sweep kernel of `kind` (`three passes`: its sweeps before they were fused, for comparison). */
function int8Items(rows: Int8Rows, bias: Float32Array, kind: Int8KernelKind, passes: 'fused' | 'three passes' = 'fused'): HostItems {
  const fused = int8Kernel(rows, bias, { kind });
  const kernel = passes === 'fused' ? fused : { ...fused, sweep: (...args: Parameters<typeof fused.sweep>) => threePasses(fused, ...args) };
  return { kind: 'int8', n: rows.n, dim: rows.dim, rows: kernel.rows, bias: kernel.bias, simd: kernel };
}

for (const n of sizes) {
  const rng = createRng(`int8-bench-${n}`);
  const values = Float32Array.from({ length: n * DIM }, () => rng.normal() * 0.3);
  const bias = Float32Array.from({ length: n }, () => rng.normal());
  const int8 = quantizeRows(values, n, DIM);
  // The float table is the dequantized int8 one: both kernels rank the same scores.
  const floatValues = dequantizeAll(int8);
  const simd = simdTable(n, DIM, floatValues, bias);
  const float: HostItems = simd ? { kind: 'float32', n, dim: DIM, vectors: simd.vectors, bias: simd.bias, simd } : { kind: 'float32', n, dim: DIM, vectors: floatValues, bias, simd: null };
  const cases = clickCases(n, CLICKS, reps(n));
  const u = Float32Array.from({ length: DIM }, () => rng.normal());
  // The host kernel's click on either table (the same functions the worker runs): sweep, steps, top k.
  const click = (items: HostItems, clicks: Int32Array, k: number): void => {
    const fb = hostFeedback(clicks, new Int32Array(0), 0.5);
    let state: { user: Float32Array; pop: number } = { user: u, pop: 1 };
    let swept = sweep(items, state.user, state.pop, true);
    for (let s = 1; s <= STEPS; s++) {
      state = hostStep(items, state.user, state.pop, swept, fb, { user: new Float32Array(DIM).fill(0.1), pop: 0.1, offsets: [] });
      swept = sweep(items, state.user, state.pop, s < STEPS);
    }
    topK(swept.scores, k, new Set(clicks));
  };
  const kernels: [string, Int8KernelKind | 'float32', 'fused' | 'three passes'][] = [
    ['float32 simd', 'float32', 'fused'],
    ['int8 simd-i16', 'simd-i16', 'fused'],
    ['int8 simd-i16, three passes', 'simd-i16', 'three passes'],
    ['int8 simd-f32', 'simd-f32', 'fused'],
    ['int8 loops', 'loops', 'fused'],
  ];
  for (const [label, kind, passes] of kernels) {
    if (kind === 'loops' && n >= 1_000_000 && quick) continue;
    const items: HostItems = kind === 'float32' ? float : int8Items(int8, bias, kind, passes);
    for (const k of [20, 100]) {
      for (const measure of ['rank', 'click'] as const) {
        const times: number[] = [];
        const cpu: number[] = [];
        const total = cases.length + 2;
        for (let r = 0; r < total; r++) {
          progress.update(`${n.toLocaleString('en-US')} items, ${label}, ${measure} top ${k}`, r, total, 'runs');
          const clicks = Int32Array.from(cases[r % cases.length]!);
          const [t, c] = time(() => {
            if (measure === 'rank') topK(scoresOnly(items, u, 1), k, new Set(clicks));
            else click(items, clicks, k);
          });
          if (r >= 2) {
            // two warm-up runs
            times.push(t);
            cpu.push(c);
          }
        }
        progress.update(`${n.toLocaleString('en-US')} items, ${label}, ${measure} top ${k}`, total, total, 'runs');
        rows.push({ items: n, k, kernel: label, measure, ...summary(times), cpu_p50_ms: percentile(cpu, 0.5), table_bytes_per_item: kind === 'float32' ? 4 * DIM + 4 : DIM + 4 + 4 });
      }
    }
  }
}
progress.finish();

const report = {
  environment: environment({ quick, loadavg_before: loadBefore.map((x) => +x.toFixed(2)), loadavg_after: loadavg().map((x) => +x.toFixed(2)), nice: 'run with nice -n 5 beside other jobs' }),
  setup: {
    dim: DIM,
    steps: STEPS,
    clicks: CLICKS,
    note: 'click = start, 2 gradient steps (a catalog sweep each, with softmax sums) and the last sweep, then top k without the clicked items. int8 sweeps are one fused pass (int8-sweep.ts); "three passes" runs the same kernel\'s scores, softmax and weighted-sum passes instead (before the fusion); simd-f32 always runs three.',
  },
  rows,
  ratios: rows.filter((r) => r.kernel !== 'float32 simd').map((r) => {
    const base = rows.find((b) => b.kernel === 'float32 simd' && b.items === r.items && b.k === r.k && b.measure === r.measure)!;
    return { items: r.items, k: r.k, measure: r.measure, kernel: r.kernel, vs_float32: r.p50_ms / base.p50_ms, cpu_vs_float32: r.cpu_p50_ms / base.cpu_p50_ms };
  }),
};
printTables([
  ['Ranking and click: float32 against int8 kernels (Node, one thread)', rows],
  ['Against float32 simd (p50 ratios)', report.ratios],
]);
await writeReport(out, report);
benchLog('int8 bench')(`wrote ${out}`);
