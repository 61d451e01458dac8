// Drives the benchmark worker in headless Chromium (WebGPU on), backend by
// backend: click → top 20, ranking alone, dispatches per click, memory over
// consecutive adaptations and the matrix-product peak; then the WGSL kernel
// (run-wgsl.ts). Every time is measured inside the worker (performance.now
// around the work, read-back included).
import { BACKENDS, type BackendName } from '../../src/backend/names';
import type { ClickKernel } from '../../src/core/types';
import { serveArtifact } from '../../tests/browser/support/artifact-route';
import { startHarness } from '../../tests/browser/support/harness';
import '../../tests/browser/support/page-globals';
import type { BenchCatalog } from '../catalogs';
import { clickCases, summary } from '../stats';
import { attachWorkerHeap } from './heap';
import type { BenchCall } from './page';
import { measureWgsl } from './run-wgsl';
import type { BenchRequests } from './worker';

export interface BrowserPlan {
  readonly catalogs: readonly BenchCatalog[];
  readonly clickCounts: readonly number[];
  readonly reps: number;
  readonly scoringItems: readonly number[];
  /** Consecutive adaptations for the memory check on host-memory backends; GPU backends run a fifth (0.2 s each). */
  readonly adaptations: number;
  /** Time per click measurement before it stops early (at least 5 clicks), ms. */
  readonly budgetMs: number;
  readonly backends?: readonly BackendName[];
  /** Click kernels to measure (default all): tfjs, host, wgsl (the WGSL kernel, measured with the webgpu backend). */
  readonly kernels?: readonly BenchKernel[];
  readonly log: (line: string) => void;
}

export type BenchKernel = 'tfjs' | 'host' | 'wgsl';

/** Which tfjs-backend click kernels a backend runs: the host loops only where tensors live in host memory. */
export function kernelsOf(backend: string, allowed?: readonly BenchKernel[]): ClickKernel[] {
  const all: ClickKernel[] = backend === 'cpu' || backend === 'wasm' ? ['tfjs', 'host'] : ['tfjs'];
  return all.filter((k) => !allowed || allowed.includes(k as BenchKernel));
}

const key = (...parts: (string | number)[]) => parts.join('/');

/** Runs every browser measure; rows as the JSON report holds them. */
export async function browserBench(plan: BrowserPlan) {
  const harness = await startHarness();
  try {
    return await measureAll(plan, harness);
  } finally {
    await harness.close();
  }
}

async function measureAll(plan: BrowserPlan, harness: Awaited<ReturnType<typeof startHarness>>) {
  const { context, page } = await harness.newPage();
  const urls = new Map<number, string>();
  for (const c of plan.catalogs) urls.set(c.items, await serveArtifact(context, `bench-${c.items}`, c.files));
  await page.evaluate(async (module) => (await window.importModule<{ start(): void }>(module)).start(), '/bench/browser/page.ts');
  const call: BenchCall = (type, params) =>
    page.evaluate(([t, p]) => window.benchCall(t, p as never), [type, params] as const) as Promise<BenchRequests[typeof type]['result']>;
  await call('ping', {}); // the worker is up: its target exists
  const heap = await attachWorkerHeap(harness.browser, 'bench/browser/worker');
  const out = {
    clickToRanking: [] as object[],
    rankings: new Map<string, { indices: number[]; scores: number[] }>(),
    scoring: [] as object[],
    dispatches: [] as object[],
    memory: [] as object[],
    peak: [] as object[],
    hostAgreement: [] as object[],
    gpuTime: [] as object[],
    skipped: [] as object[],
    adapter: null as string | null,
  };
  const backends = plan.backends ?? BACKENDS;
  try {
    for (const backend of backends) {
      if (kernelsOf(backend, plan.kernels).length === 0) continue;
      try {
        await call('activate', { backend });
      } catch (error) {
        out.skipped.push({ backend, reason: (error as Error).message });
        plan.log(`${backend}: skipped (${(error as Error).message})`);
        continue;
      }
      await measureBackend(plan, backend, call, urls, heap, out);
    }
    if (backends.includes('webgpu') && (!plan.kernels || plan.kernels.includes('wgsl'))) await measureWgsl(plan, call, urls, heap, out);
  } finally {
    await heap.close().catch(() => {});
    await context.close();
  }
  return out;
}

async function measureBackend(
  plan: BrowserPlan,
  backend: BackendName,
  call: BenchCall,
  urls: ReadonlyMap<number, string>,
  heap: Awaited<ReturnType<typeof attachWorkerHeap>>,
  out: Awaited<ReturnType<typeof measureAll>>,
): Promise<void> {
  const peakSize = backend === 'cpu' ? 256 : 1024;
  const peak = await call('peak', { size: peakSize, reps: 3 });
  out.peak.push({ backend, size: peak.size, gflops: peak.gflops });
  plan.log(`${backend}: matrix product ${peak.size}³ at ${peak.gflops.toFixed(2)} GFLOP/s`);
  for (const kernel of kernelsOf(backend, plan.kernels)) {
    for (const { items } of plan.catalogs) {
      const url = urls.get(items)!;
      for (const clicks of plan.clickCounts) {
        const cases = clickCases(items, clicks, plan.reps);
        const r = await call('clicks', { url, cases, top: 20, kernel, warmup: 3, budgetMs: plan.budgetMs });
        out.clickToRanking.push({ backend, kernel, catalog: items, clicks, steps: r.steps, ...summary(r.times) });
        if (r.first) out.rankings.set(key(backend, kernel, items, clicks), r.first);
        plan.log(`${backend}/${kernel} ${items} items, ${clicks} clicks: p50 ${summary(r.times).p50_ms.toFixed(2)} ms`);
      }
      const d = await call('dispatches', { url, clicks: clickCases(items, 20, 1)[0]!, kernel });
      out.dispatches.push({ backend, kernel, catalog: items, clicks: 20, kernels: d.kernels, distinct: d.distinct.length, readbacks: null });
    }
    for (const items of plan.scoringItems) {
      const reps = Math.max(3, Math.min(plan.reps, Math.round(2e6 / items)));
      try {
        const s = await call('scoring', { items, dim: 32, topk: 100, reps, kernel });
        out.scoring.push({ backend, kernel, catalog: items, topk: 100, ...summary(s.times), selection_p50_ms: summary(s.selection).p50_ms });
        plan.log(`${backend}/${kernel} top 100 of ${items}: p50 ${summary(s.times).p50_ms.toFixed(1)} ms`);
      } catch (error) {
        out.skipped.push({ backend, kernel, measure: `scoring ${items}`, reason: (error as Error).message });
      }
    }
    await memory(plan, backend, kernel, call, urls, heap, out);
  }
}

/** Tensors and worker heap (after a full GC) after a warm-up and after each quarter of the adaptations (must stay flat). */
async function memory(
  plan: BrowserPlan,
  backend: BackendName,
  kernel: ClickKernel,
  call: BenchCall,
  urls: ReadonlyMap<number, string>,
  heap: Awaited<ReturnType<typeof attachWorkerHeap>>,
  out: Awaited<ReturnType<typeof measureAll>>,
): Promise<void> {
  const items = plan.catalogs[0]!.items; // the smallest: the GPU backends take ~0.2 s per adaptation
  const url = urls.get(items)!;
  const adaptations = kernelsOf(backend).length > 1 ? plan.adaptations : plan.adaptations / 5;
  const perRound = Math.max(1, Math.round(adaptations / 4));
  // Warm up with a quarter first: shader compiles, tfjs caches and V8's code and
  // type feedback grow over the first few hundred adaptations, then settle.
  const tensors = await call('rounds', { url, rounds: 1, perRound, kernel });
  const heapBytes = [await heap.usedAfterGc()];
  for (let r = 0; r < 4; r++) {
    tensors.push(...(await call('rounds', { url, rounds: 1, perRound, kernel })));
    heapBytes.push(await heap.usedAfterGc());
  }
  const growth = { tensors: tensors.at(-1)! - tensors[0]!, heap_kb: Math.round((heapBytes.at(-1)! - heapBytes[0]!) / 1024) };
  out.memory.push({ backend, kernel, catalog: items, adaptations: perRound * 4, tensors, heap_kb: heapBytes.map((b) => Math.round(b / 1024)), growth_tensors: growth.tensors, growth_heap_kb: growth.heap_kb });
  plan.log(`${backend}/${kernel} ${perRound * 4} adaptations: tensors ${tensors.join(' → ')}, heap ${heapBytes.map((b) => Math.round(b / 1024)).join(' → ')} KB`);
}
