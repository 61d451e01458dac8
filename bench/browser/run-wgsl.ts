// The WGSL kernel's rows of the browser benchmark (kernel "wgsl", backend
// "webgpu": the same SwiftShader adapter tfjs's webgpu backend runs on). tfjs
// is switched to cpu for them, so the host kernel on the same artifact is the
// reference of every row (same top ids, largest score difference).
import { clickCases, summary } from '../stats';
import type { WorkerHeap } from './heap';
import type { BenchCall } from './page';
import type { BrowserPlan } from './run-browser';

export interface WgslRows {
  clickToRanking: object[];
  rankings: Map<string, { indices: number[]; scores: number[] }>;
  scoring: object[];
  dispatches: object[];
  memory: object[];
  hostAgreement: object[];
  gpuTime: object[];
  skipped: object[];
  /** The WebGPU adapter the rows ran on ("google swiftshader" here). */
  adapter: string | null;
}

const row = { backend: 'webgpu', kernel: 'wgsl' } as const;

/** Click → top 20 per catalog and click count, top 100 of the scoring sizes, dispatches, memory. */
export async function measureWgsl(plan: BrowserPlan, call: BenchCall, urls: ReadonlyMap<number, string>, heap: WorkerHeap, out: WgslRows): Promise<void> {
  try {
    await call('activate', { backend: 'cpu' });
  } catch (error) {
    out.skipped.push({ ...row, reason: `no cpu backend for the host reference: ${(error as Error).message}` });
    return;
  }
  for (const { items } of plan.catalogs) {
    const url = urls.get(items)!;
    for (const clicks of plan.clickCounts) {
      const cases = clickCases(items, clicks, plan.reps);
      const r = await call('wgslClicks', { url, cases, top: 20, warmup: 3, budgetMs: plan.budgetMs });
      out.clickToRanking.push({ ...row, catalog: items, clicks, steps: r.steps, ...summary(r.times) });
      out.rankings.set(`webgpu/wgsl/${items}/${clicks}`, r.first);
      out.adapter = r.adapter;
      out.hostAgreement.push({ ...row, measure: 'click → top 20', catalog: items, clicks, same_top: r.host.same_top, max_score_diff: r.host.max_score_diff });
      out.gpuTime.push({ ...row, measure: 'click → top 20', catalog: items, clicks, groups: `${r.groups.sweep} sweep / ${r.groups.select} select`, dispatch_ms: r.gpuMs.map((ms) => +ms.toFixed(2)) });
      if (clicks === 20) out.dispatches.push({ ...row, catalog: items, clicks, kernels: r.dispatches, distinct: 3, readbacks: r.readbacks });
      plan.log(`webgpu/wgsl ${items} items, ${clicks} clicks: p50 ${summary(r.times).p50_ms.toFixed(2)} ms, ${r.dispatches} dispatches, ${r.readbacks} read-back, host ${r.host.same_top ? 'same top 20' : 'DIFFERENT top 20'} (Δ ${r.host.max_score_diff.toExponential(1)})`);
    }
  }
  for (const items of plan.scoringItems) {
    const reps = Math.max(3, Math.min(plan.reps, Math.round(2e6 / items)));
    try {
      const s = await call('wgslScoring', { items, dim: 32, topk: 100, reps });
      out.scoring.push({ ...row, catalog: items, topk: 100, ...summary(s.times), selection_p50_ms: s.selection[0] ?? NaN });
      out.hostAgreement.push({ ...row, measure: 'top 100', catalog: items, clicks: 0, same_top: s.host.same_top, max_score_diff: s.host.max_score_diff });
      out.gpuTime.push({ ...row, measure: 'top 100', catalog: items, clicks: 0, groups: '', dispatch_ms: s.gpuMs.map((ms) => +ms.toFixed(2)) });
      plan.log(`webgpu/wgsl top 100 of ${items}: p50 ${summary(s.times).p50_ms.toFixed(1)} ms (${s.dispatches} dispatches), host ${s.host.same_top ? 'same' : 'DIFFERENT'} top 100`);
    } catch (error) {
      out.skipped.push({ ...row, measure: `scoring ${items}`, reason: (error as Error).message });
    }
  }
  await memory(plan, call, urls, heap, out);
}

/** GPU buffers (the device's ledger), tensors and worker heap after a warm-up quarter and after each quarter of the adaptations. */
async function memory(plan: BrowserPlan, call: BenchCall, urls: ReadonlyMap<number, string>, heap: WorkerHeap, out: WgslRows): Promise<void> {
  const items = plan.catalogs[0]!.items;
  const url = urls.get(items)!;
  const perRound = Math.max(1, Math.round(plan.adaptations / 4));
  const rounds = [...(await call('wgslRounds', { url, rounds: 1, perRound, seed: 0 }))];
  const heapBytes = [await heap.usedAfterGc()];
  for (let r = 0; r < 4; r++) {
    rounds.push(...(await call('wgslRounds', { url, rounds: 1, perRound, seed: r + 1 })));
    heapBytes.push(await heap.usedAfterGc());
  }
  const kb = heapBytes.map((b) => Math.round(b / 1024));
  out.memory.push({
    ...row,
    catalog: items,
    adaptations: perRound * 4,
    tensors: rounds.map((r) => r.tensors),
    heap_kb: kb,
    growth_tensors: rounds.at(-1)!.tensors - rounds[0]!.tensors,
    growth_heap_kb: kb.at(-1)! - kb[0]!,
    gpu_buffers: rounds.map((r) => r.buffers),
    gpu_buffers_created: rounds.at(-1)!.created - rounds[0]!.created,
    gpu_kb: rounds.map((r) => Math.round(r.bytes / 1024)),
  });
  plan.log(`webgpu/wgsl ${perRound * 4} clicks: GPU buffers ${rounds.map((r) => r.buffers).join(' → ')}, heap ${kb.join(' → ')} KB`);
}
