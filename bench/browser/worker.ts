/// <reference lib="webworker" />
// The benchmark's worker: the engine's own modules (backend choice, artifact
// decoding, core math), driven one request at a time by bench/browser/page.ts.
import * as tf from '@tensorflow/tfjs-core';
import { parseArtifact, type Model } from '../../src/artifact';
import { selectBackend, type BackendName } from '../../src/backend';
import type { ClickKernel } from '../../src/core/types';
import { adaptRounds, clickTimes, dispatches, peak, scoring } from './measures';
import { disposeWgsl, wgslClickTimes, wgslRounds, wgslScoring } from './measures-wgsl';

declare const self: DedicatedWorkerGlobalScope;

const models = new Map<string, Model>();

async function load(url: string): Promise<Model> {
  let model = models.get(url);
  if (!model) {
    const base = new URL(url, self.location.href);
    const json: unknown = await (await fetch(base)).json();
    const files: Record<string, ArrayBuffer> = {};
    for (const name of ['weights.bin', 'catalog.json']) files[name] = await (await fetch(new URL(name, base))).arrayBuffer();
    model = await parseArtifact(json, files);
    models.set(url, model);
  }
  return model;
}

export interface BenchRequests {
  ping: { params: Record<string, never>; result: true };
  activate: { params: { backend: BackendName }; result: { backend: string } };
  clicks: { params: { url: string; cases: number[][]; top: number; kernel: ClickKernel; warmup: number; budgetMs: number }; result: Awaited<ReturnType<typeof clickTimes>> };
  dispatches: { params: { url: string; clicks: number[]; kernel: ClickKernel }; result: Awaited<ReturnType<typeof dispatches>> };
  rounds: { params: { url: string; rounds: number; perRound: number; kernel: ClickKernel }; result: number[] };
  scoring: { params: { items: number; dim: number; topk: number; reps: number; kernel: ClickKernel }; result: Awaited<ReturnType<typeof scoring>> };
  peak: { params: { size: number; reps: number }; result: { size: number; gflops: number } };
  wgslClicks: { params: { url: string; cases: number[][]; top: number; warmup: number; budgetMs: number }; result: Awaited<ReturnType<typeof wgslClickTimes>> };
  wgslRounds: { params: { url: string; rounds: number; perRound: number; seed: number }; result: Awaited<ReturnType<typeof wgslRounds>> };
  wgslScoring: { params: { items: number; dim: number; topk: number; reps: number }; result: Awaited<ReturnType<typeof wgslScoring>> };
}

type Handlers = { [K in keyof BenchRequests]: (p: BenchRequests[K]['params']) => Promise<BenchRequests[K]['result']> };

const handlers: Handlers = {
  ping: async () => true,
  async activate({ backend }) {
    // Models are rebuilt per backend: tensors do not move between backends.
    disposeWgsl();
    for (const model of models.values()) model.dispose();
    models.clear();
    await selectBackend(backend, async () => {}, 0);
    return { backend: tf.getBackend() };
  },
  clicks: async (p) => clickTimes(await load(p.url), p.cases, p.top, p.kernel, p.warmup, p.budgetMs),
  dispatches: async (p) => dispatches(await load(p.url), p.clicks, p.kernel),
  rounds: async (p) => adaptRounds(await load(p.url), p.rounds, p.perRound, p.kernel),
  scoring: (p) => scoring(p.items, p.dim, p.topk, p.reps, p.kernel),
  peak: (p) => peak(p.size, p.reps),
  wgslClicks: async (p) => wgslClickTimes(await load(p.url), p.cases, p.top, p.warmup, p.budgetMs),
  wgslRounds: async (p) => wgslRounds(await load(p.url), p.rounds, p.perRound, p.seed),
  wgslScoring: (p) => wgslScoring(p.items, p.dim, p.topk, p.reps),
};

self.onmessage = async (event: MessageEvent<{ id: number; type: keyof BenchRequests; params: never }>) => {
  const { id, type, params } = event.data;
  try {
    const result = await (handlers[type] as (p: unknown) => Promise<unknown>)(params);
    self.postMessage({ id, ok: true, result });
  } catch (error) {
    self.postMessage({ id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
};
