/**
 * The per-kernel GPU buffers a click reuses: its input (grown by doubling,
 * never per click), the work buffer (work-layout.ts), the two score slots with
 * the ranking's candidates, the dispatch indices, and a pool of read-back
 * buffers (one per click in flight). Nothing here is sized per click, so a
 * steady session creates no buffers at all.
 */

import type { GpuContext } from './device';
import type { ClickPipelines } from './pipelines';
import type { ResidentTable } from './resident';
import { MAX_STEPS, scoresWords, type WorkLayout } from './work-layout';

/** Uniform offsets must be multiples of 256 bytes. */
export const DISPATCH_STRIDE = 256;
const FIRST_INPUT_BYTES = 64 * 1024;

export class Workspace {
  readonly work: GPUBuffer;
  readonly scores: GPUBuffer;
  readonly dispatch: GPUBuffer;
  readonly dispatchGroup: GPUBindGroup;
  private input: GPUBuffer;
  private group: GPUBindGroup;
  private readonly staging: GPUBuffer[] = [];

  constructor(
    private readonly gpu: GpuContext,
    private readonly table: ResidentTable,
    private readonly pipelines: ClickPipelines,
    readonly layout: WorkLayout,
    selectGroups: number,
    /** Extra read-back bytes after the out record (resolved timestamps). */
    private readonly extraBytes = 0,
  ) {
    const { ledger } = gpu;
    this.work = ledger.create({ label: 'localrec work', size: 4 * layout.totalWords, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    this.scores = ledger.create({ label: 'localrec scores', size: 4 * scoresWords(table.n, selectGroups), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    this.dispatch = ledger.create({ label: 'localrec dispatch index', size: DISPATCH_STRIDE * (MAX_STEPS + 1), usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true });
    const indices = new Uint32Array(this.dispatch.getMappedRange());
    for (let j = 0; j <= MAX_STEPS; j++) indices[(j * DISPATCH_STRIDE) / 4] = j;
    this.dispatch.unmap();
    this.dispatchGroup = gpu.device.createBindGroup({
      label: 'localrec dispatch index',
      layout: pipelines.dispatchLayout,
      entries: [{ binding: 0, resource: { buffer: this.dispatch, size: 16 } }],
    });
    this.input = this.newInput(FIRST_INPUT_BYTES);
    this.group = this.bind();
  }

  /** The table + workspace bind group, valid for an input of `bytes` (grows the input buffer if needed). */
  groupFor(bytes: number): { group: GPUBindGroup; input: GPUBuffer } {
    if (bytes > this.input.size) {
      this.gpu.ledger.destroy(this.input);
      this.input = this.newInput(2 ** Math.ceil(Math.log2(bytes)));
      this.group = this.bind();
    }
    return { group: this.group, input: this.input };
  }

  /** A read-back buffer of the out record: a free one, or a new one when all are in flight. */
  takeStaging(): GPUBuffer {
    return this.staging.pop() ?? this.gpu.ledger.create({ label: 'localrec read-back', size: 4 * this.layout.outWords + this.extraBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Returns an unmapped read-back buffer to the pool. */
  giveStaging(buffer: GPUBuffer): void {
    this.staging.push(buffer);
  }

  destroy(): void {
    const { ledger } = this.gpu;
    for (const buffer of [this.work, this.scores, this.dispatch, this.input, ...this.staging]) ledger.destroy(buffer);
    this.staging.length = 0;
  }

  private newInput(bytes: number): GPUBuffer {
    return this.gpu.ledger.create({ label: 'localrec click input', size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  }

  private bind(): GPUBindGroup {
    const t = this.table;
    const buffers = [t.vectors, t.rowmeta, t.context, t.contextScales, this.input, this.work, this.scores];
    return this.gpu.device.createBindGroup({
      label: 'localrec click',
      layout: this.pipelines.tableLayout,
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }
}
