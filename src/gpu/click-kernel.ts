/**
 * A whole click on the GPU: start, steps, per-step losses, rollback and the
 * top k in steps + 2 or steps + 3 dispatches of one submission and one small read-back,
 * against an item table uploaded once. The entry the worker calls with what
 * the host click path takes (feedback, start or prototype, steps) and gets
 * back what it returns (new state, per-step losses, rolled back, top k).
 *
 * Dispatches: sweep × (steps + 1) (wgsl/sweep.ts), select-local and, where
 * it takes more than one workgroup, select-merge (wgsl/select.ts); then a copy
 * of the out record (≈ 1.5 KB) and one mapAsync.
 * Steps cannot be undone from the host without a read-back per step, so the
 * rollback rule (non-finite or exploded loss: adapt()'s) runs on the GPU.
 */

import { UNIFORM_DECAY_LOGIT } from '../core/params';
import { clickInput } from './click-input';
import type { AdaptConstants, ClickRequest, GpuClickExtras, GpuClickKernel, GpuClickModel, GpuClickOptions, GpuClickResult, GpuState } from './click-types';
import { GpuDeviceLostError, type GpuContext } from './device';
import { dispatchTimes, mapForReading } from './readback';
import { inputWords, packInput } from './input-layout';
import { createPipelines, type ClickPipelines } from './pipelines';
import { uploadTable, type ResidentTable } from './resident';
import type { GpuItemTable } from './table';
import { SELECT_ROUND, selectChunk } from './wgsl/select';
import { DispatchTimer, TIMER_BYTES, timerOffset } from './timer';
import { outWordsFor, readOutput, workLayout, type OutState } from './work-layout';
import { DISPATCH_STRIDE, Workspace } from './workspace';

/** Uploads the table, compiles the pipelines and allocates the workspace (once per model). */
export async function createClickKernel(gpu: GpuContext, model: GpuClickModel, options: GpuClickOptions = {}): Promise<GpuClickKernel> {
  throwIfLost(gpu);
  const { n, dim } = model.table;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 4;
  // Software adapters run a workgroup per CPU thread: 2 per core balance the load without
  // multiplying the per-workgroup start (measured: 10k items, 2 cores, G = 4 beat 8 and 16).
  const sweepGroups = options.sweepGroups ?? Math.max(1, Math.min(gpu.software ? 2 * cores : 256, Math.ceil(n / 1024)));
  // select-local: few long streams on CPU adapters (barriers cost there), ~4096 items a workgroup on
  // GPUs. One workgroup writes the result itself (a dispatch fewer): on CPU adapters up to 32k items,
  // where every dispatch boundary waits for their worker threads to wake (≈ ms on a loaded machine).
  const streams = options.selectGroups ?? (gpu.software ? (n <= 32_768 ? 1 : 2 * cores) : Math.ceil(n / 4096));
  const chunk = selectChunk(n, Math.min(streams, Math.ceil(n / SELECT_ROUND)));
  const selectGroups = Math.ceil(n / chunk);
  if (dim > 252) throw new Error(`The GPU kernel takes rows of up to 252 values, got dim ${dim}.`);
  const layout = workLayout(dim, sweepGroups);
  const table = uploadTable(gpu, model.table);
  let pipelines: ClickPipelines;
  try {
    pipelines = await createPipelines(gpu, { format: model.table.format, n, dim, sweepGroups, selectGroups, layout }, chunk);
  } catch (error) {
    table.destroy();
    throw error;
  }
  const timed = gpu.device.features.has('timestamp-query');
  const workspace = new Workspace(gpu, table, pipelines, layout, selectGroups, timed ? 8 + TIMER_BYTES : 0);
  return new Kernel(gpu, model, table, pipelines, workspace, { sweep: sweepGroups, select: selectGroups }, timed);
}

/**
 * The constants of a ranking-only kernel (no model constants given): it ranks
 * explicit start states, so every rate is exp(-∞) = 0 and no prototype or
 * evidence moves them. Typed by AdaptConstants, so a new per-visitor
 * parameter must be given a neutral value here too.
 */
const NO_CONSTANTS = (dim: number): AdaptConstants => ({
  userInit: new Float32Array(dim),
  logLrUser: new Float32Array(dim).fill(-Infinity),
  popInit: 0,
  protoScale: 0,
  logShrink: 0,
  logLrPop: -Infinity,
  logKnnInit: -Infinity,
  logLrKnn: -Infinity,
  logitDecay: UNIFORM_DECAY_LOGIT,
  logSeqInit: -Infinity,
  logLrSeq: -Infinity,
});

class Kernel implements GpuClickKernel {
  readonly n: number;
  readonly dim: number;
  readonly format: GpuItemTable['format'];
  private totals = { clicks: 0, dispatches: 0, readbacks: 0 };
  private packed = new ArrayBuffer(4096);
  private disposed = false;
  private timer: DispatchTimer | null = null;
  /** Rejecters of the read-backs in flight: one listener on the device's loss serves them all. */
  private readonly waiting = new Set<(error: Error) => void>();

  constructor(
    private readonly gpu: GpuContext,
    private readonly model: GpuClickModel,
    private readonly table: ResidentTable,
    private readonly pipelines: ClickPipelines,
    private readonly workspace: Workspace,
    readonly groups: { readonly sweep: number; readonly select: number },
    private readonly timed: boolean,
  ) {
    ({ n: this.n, dim: this.dim, format: this.format } = table);
    void gpu.lost.then((loss) => {
      for (const reject of this.waiting) reject(new GpuDeviceLostError(loss));
      this.waiting.clear();
    });
  }

  async click(request: ClickRequest, extras: GpuClickExtras = {}): Promise<GpuClickResult> {
    if (this.disposed) throw new Error('This GPU click kernel was disposed: build a new one for the model.');
    throwIfLost(this.gpu);
    this.checkModel(request);
    const t0 = performance.now();
    const { neighbours, transitions } = this.model;
    const input = clickInput({ constants: this.model.constants ?? NO_CONSTANTS(this.dim), n: this.n, dim: this.dim, ...(neighbours ? { neighbours } : {}), ...(transitions ? { transitions } : {}) }, request);
    const words = inputWords(input);
    if (this.packed.byteLength < 4 * words) this.packed = new ArrayBuffer(2 ** Math.ceil(Math.log2(4 * words)));
    packInput(input, this.packed);
    const { device } = this.gpu;
    const { group, input: inputBuffer } = this.workspace.groupFor(4 * words);
    device.queue.writeBuffer(inputBuffer, 0, this.packed, 0, 4 * words);
    const timer = extras.timestamps && this.timed ? (this.timer ??= new DispatchTimer(this.gpu)) : null;
    const dispatches = this.encode(group, input.steps, timer);
    const layout = this.workspace.layout;
    const outBytes = 4 * outWordsFor(layout, input.steps);
    // Both score slots (which one was ranked is known only from the read-back), after the out record.
    const scoresAt = 8 * Math.ceil(outBytes / 8);
    const staging = extras.scores
      ? this.gpu.ledger.create({ label: 'localrec scores read-back', size: scoresAt + 8 * this.n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })
      : this.workspace.takeStaging();
    const encoder = device.createCommandEncoder({ label: 'localrec click read-back' });
    encoder.copyBufferToBuffer(this.workspace.work, 4 * layout.out, staging, 0, outBytes);
    if (timer) {
      encoder.resolveQuerySet(timer.set, 0, 2 * dispatches.count, timer.resolved, 0);
      encoder.copyBufferToBuffer(timer.resolved, 0, staging, timerOffset(layout), TIMER_BYTES);
    }
    if (extras.scores) encoder.copyBufferToBuffer(this.workspace.scores, 0, staging, scoresAt, 8 * this.n);
    device.queue.submit([dispatches.commands, encoder.finish()]);
    this.totals.clicks++;
    this.totals.dispatches += dispatches.count;
    this.totals.readbacks++;
    const bytes = await mapForReading(this.gpu, staging, extras.scores ? staging.size : timer ? null : outBytes, this.waiting);
    if (extras.scores) this.gpu.ledger.destroy(staging);
    else this.workspace.giveStaging(staging);
    const problem = this.gpu.takeError();
    if (problem) throw new Error(`The GPU reported an error during a click (a localrec bug, please report it): ${problem}`);
    const out = readOutput(bytes, layout, this.dim, input.steps, input.count !== null);
    const state = (s: OutState): GpuState => ({ user: s.user, pop: s.pop, ...(neighbours ? { knn: s.knn } : {}), ...(transitions ? { seq: s.seq } : {}) });
    const judged = input.losses ? out.losses : new Float32Array(0);
    return {
      state: state(out),
      steps: Array.from(judged.subarray(0, out.accepted + 1), (loss, step) => ({ step, loss })),
      rolledBack: out.rolledBack,
      rejectedLoss: out.rolledBack && input.losses ? judged[out.accepted + 1]! : null,
      trace: out.trace.map(state),
      rank: out.rank,
      rows: input.entries,
      indices: out.indices,
      scores: out.scores,
      ...(extras.scores ? { allScores: new Float32Array(bytes, scoresAt + 4 * this.n * out.slot, this.n) } : {}),
      dispatches: dispatches.count,
      readbacks: 1,
      ms: performance.now() - t0,
      ...(timer ? { gpuMs: dispatchTimes(bytes, timerOffset(layout), dispatches.count) } : {}),
    };
  }

  counters() {
    return { ...this.totals };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.workspace.destroy();
    this.table.destroy();
    this.timer?.destroy();
  }

  /** One compute pass (one per dispatch when timed): the sweeps (dispatch index j by dynamic offset), then the two ranking stages. */
  private encode(group: GPUBindGroup, steps: number, timer: DispatchTimer | null): { commands: GPUCommandBuffer; count: number } {
    const encoder = this.gpu.device.createCommandEncoder({ label: 'localrec click' });
    const { sweep, selectLocal, selectMerge } = this.pipelines;
    const plan: [GPUComputePipeline, number, number][] = [];
    for (let j = 0; j <= steps; j++) plan.push([sweep, j, this.groups.sweep]);
    plan.push([selectLocal, 0, this.groups.select]);
    if (selectMerge) plan.push([selectMerge, 0, 1]);
    let pass: GPUComputePassEncoder | null = null;
    plan.forEach(([pipeline, j, groups], d) => {
      if (!pass || timer) {
        pass?.end();
        pass = encoder.beginComputePass({ label: 'localrec click', ...(timer ? { timestampWrites: timer.writes(d) } : {}) });
        pass.setBindGroup(0, group);
      }
      pass.setPipeline(pipeline);
      pass.setBindGroup(1, this.workspace.dispatchGroup, [j * DISPATCH_STRIDE]);
      pass.dispatchWorkgroups(groups);
    });
    (pass as GPUComputePassEncoder | null)?.end();
    return { commands: encoder.finish(), count: plan.length };
  }

  private checkModel(request: ClickRequest): void {
    const adapts = request.steps > 0 || !request.start;
    if (adapts && !this.model.constants) {
      throw new Error('This GPU kernel was built without adaptation constants: it ranks explicit states only (give start and steps 0).');
    }
    if (!request.start && request.clicks.length > 0 && !this.table.hasContext) {
      throw new Error('This item table has no context vectors, so it cannot start from clicks: give an explicit start state.');
    }
  }
}

function throwIfLost(gpu: GpuContext): void {
  const loss = gpu.loss();
  if (loss) throw new GpuDeviceLostError(loss);
}
