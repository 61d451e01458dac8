/**
 * Timestamp queries around every dispatch of a click, for the benchmark: the
 * resolved times are copied after the out record into the same read-back
 * buffer, so a timed click still maps one buffer once.
 */

import type { GpuContext } from './device';
import { MAX_STEPS, type WorkLayout } from './work-layout';

/** Most dispatches a click encodes: the sweeps, select-local, select-merge. */
export const MAX_DISPATCHES = MAX_STEPS + 3;
/** Bytes of the resolved timestamps: a begin and an end (u64 ns) per dispatch. */
export const TIMER_BYTES = 16 * MAX_DISPATCHES;
/** Where the timestamps go in the read-back: after the out record, 8-byte aligned. */
export const timerOffset = (layout: WorkLayout) => 8 * Math.ceil(layout.outWords / 2);

/** A query set and its resolve buffer, made on the first timed click of a kernel. */
export class DispatchTimer {
  readonly set: GPUQuerySet;
  readonly resolved: GPUBuffer;
  constructor(private readonly gpu: GpuContext) {
    this.set = gpu.device.createQuerySet({ type: 'timestamp', count: 2 * MAX_DISPATCHES });
    this.resolved = gpu.ledger.create({ label: 'localrec timestamps', size: TIMER_BYTES, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  }
  /** Timestamp writes around the pass of dispatch d (each timed dispatch gets its own pass). */
  writes(d: number): GPUComputePassTimestampWrites {
    return { querySet: this.set, beginningOfPassWriteIndex: 2 * d, endOfPassWriteIndex: 2 * d + 1 };
  }
  destroy(): void {
    this.set.destroy();
    this.gpu.ledger.destroy(this.resolved);
  }
}
