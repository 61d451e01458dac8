// What the benchmark measures of the WGSL click kernel (src/gpu) inside the
// worker. tfjs runs on cpu meanwhile, so the host kernel on the same model is
// the reference every row is compared with; the kernel has its own device on
// the same adapter tfjs's webgpu backend uses.
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../../src/artifact';
import { webgpuBackendDevice } from '../../src/backend';
import { rank } from '../../src/core/kernels';
import type { UserState } from '../../src/core/types';
import { acquireGpu, clickModelOf, createClickKernel, type GpuClickKernel, type GpuClickResult } from '../../src/gpu';
import { click } from './measures';

const now = (): number => performance.now();
const kernels = new Map<Model, GpuClickKernel>();

/** The model's WGSL kernel (table uploaded once, pipelines compiled once). */
async function kernelOf(model: Model): Promise<GpuClickKernel> {
  let kernel = kernels.get(model);
  if (!kernel) {
    kernel = await createClickKernel(await acquireGpu(webgpuBackendDevice()), await clickModelOf(model));
    kernels.set(model, kernel);
  }
  return kernel;
}

/** Frees every kernel (their models are about to be disposed). */
export function disposeWgsl(): void {
  for (const kernel of kernels.values()) kernel.dispose();
  kernels.clear();
}

function wgslClick(kernel: GpuClickKernel, model: Model, clicks: Int32Array, top: number, timestamps = false): Promise<GpuClickResult> {
  const { steps, negativeWeight } = model.meta.adaptation;
  return kernel.click({ clicks, negatives: new Int32Array(0), steps, negativeWeight, k: top }, { timestamps });
}

/** Same top ids as the host kernel, and the largest score difference. */
function against(host: { indices: Int32Array; scores: Float32Array }, gpu: { indices: Int32Array; scores: Float32Array }) {
  const same = host.indices.length === gpu.indices.length && host.indices.every((i, j) => i === gpu.indices[j]);
  return { same_top: same, max_score_diff: Math.max(0, ...Array.from(gpu.scores, (s, j) => Math.abs(s - (host.scores[j] ?? NaN)))) };
}

/** Median GPU time of each dispatch over `reps` timed clicks (empty where timestamps are missing), ms. */
function gpuTimes(results: readonly GpuClickResult[]): number[] {
  const per = results[0]?.gpuMs?.map((_, d) => results.map((r) => r.gpuMs![d]!).sort((a, b) => a - b)) ?? [];
  return per.map((times) => times[Math.floor(times.length / 2)]!);
}

/**
 * clickTimes (measures.ts) for the WGSL kernel: ms per case after warm-up,
 * the first case's ranking, dispatches and read-backs per click, the first
 * case against the host kernel, and the GPU time of each dispatch.
 */
export async function wgslClickTimes(model: Model, cases: readonly number[][], top: number, warmup: number, budgetMs: number) {
  const kernel = await kernelOf(model);
  for (const c of cases.slice(0, warmup)) await wgslClick(kernel, model, Int32Array.from(c), top);
  const times: number[] = [];
  let first: GpuClickResult | null = null;
  const began = now();
  for (const c of cases) {
    if (times.length >= 5 && now() - began > budgetMs) break;
    const t0 = now();
    const result = await wgslClick(kernel, model, Int32Array.from(c), top);
    times.push(now() - t0);
    first ??= result;
  }
  const host = await click(model, Int32Array.from(cases[0]!), top, 'host');
  const timed = [];
  for (let r = 0; r < 3; r++) timed.push(await wgslClick(kernel, model, Int32Array.from(cases[0]!), top, true));
  return {
    times,
    steps: model.meta.adaptation.steps,
    first: { indices: Array.from(first!.indices), scores: Array.from(first!.scores) },
    dispatches: first!.dispatches,
    readbacks: first!.readbacks,
    host: against(host, first!),
    gpuMs: gpuTimes(timed),
    groups: kernel.groups,
    adapter: (await acquireGpu(webgpuBackendDevice())).adapter,
  };
}

/** Live GPU buffers and bytes (the device's ledger) and tfjs tensors after each round of `perRound` clicks. */
export async function wgslRounds(model: Model, rounds: number, perRound: number, seed: number) {
  const kernel = await kernelOf(model);
  const gpu = await acquireGpu(webgpuBackendDevice());
  const n = model.catalog.length;
  const out = [];
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) % n;
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < perRound; k++) await wgslClick(kernel, model, Int32Array.from({ length: 20 }, next), 20);
    const ledger = gpu.ledger.counts();
    out.push({ buffers: ledger.live, bytes: ledger.liveBytes, created: ledger.created, tensors: tf.memory().numTensors });
  }
  return out;
}

/**
 * Ranking alone as scoring() measures it (the same seeded random table and
 * visitor): top `topk` of `items` on the WGSL kernel from an explicit state,
 * the selection's GPU time, and the result against the host kernel.
 */
export async function wgslScoring(items: number, dim: number, topk: number, reps: number) {
  const vectors = tf.randomNormal([items, dim], 0, 1, 'float32', 1) as tf.Tensor2D;
  const bias = tf.randomNormal([items], 0, 1, 'float32', 2) as tf.Tensor1D;
  const user = tf.randomNormal([1, dim], 0, 1, 'float32', 3) as tf.Tensor2D;
  const state: UserState = { user, pop: tf.tensor2d([[0.5]]) };
  const table = { format: 'float32' as const, n: items, dim, vectors: (await vectors.data()) as Float32Array, bias: (await bias.data()) as Float32Array };
  const start = { user: (await user.data()) as Float32Array, pop: 0.5 };
  const kernel = await createClickKernel(await acquireGpu(webgpuBackendDevice()), { table });
  try {
    // As rank() on the other kernels: scores and the top k, no loss (so no softmax).
    const request = { clicks: new Int32Array(0), negatives: new Int32Array(0), steps: 0, negativeWeight: 0, k: topk, start, losses: false };
    const times: number[] = [];
    let last: GpuClickResult | null = null;
    for (let r = 0; r < reps + 1; r++) {
      const t0 = now();
      last = await kernel.click(request);
      if (r > 0) times.push(now() - t0);
    }
    const timed = [];
    for (let r = 0; r < 3; r++) timed.push(await kernel.click(request, { timestamps: true }));
    const gpuMs = gpuTimes(timed);
    const context = tf.zeros([1, dim]) as tf.Tensor2D;
    const host = await rank({ vectors, bias, context }, state, topk, undefined, 'host');
    context.dispose();
    return { times, selection: gpuMs.length ? [gpuMs.at(-2)! + gpuMs.at(-1)!] : [], gpuMs, host: against(host, last!), dispatches: last!.dispatches, readbacks: last!.readbacks };
  } finally {
    kernel.dispose();
    tf.dispose([vectors, bias, user, state.pop]);
  }
}
