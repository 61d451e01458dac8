/**
 * The fused int8 sweep (int8-sweep.ts) run in parts, one per thread: the
 * caller's thread sweeps the first part while helper threads sweep the others
 * over the same shared WebAssembly memory, then the parts are merged
 * (int8-split.ts). The threads are the caller's to provide (SweepHelpers:
 * the worker runs them as Web Workers, worker/sweep-threads.ts); with none,
 * or none ready yet, the caller sweeps the one part alone, exactly as before.
 */

import type { SparseOffsets } from './int8-types';
import { mergeParts, offsetCuts, rangeOffsets, rowRanges, type PartSums, type RowRange } from './int8-split';
import type { Int8SweepExports } from './int8-sweep';

/** One helper thread with its own instance of the sweep module over the table's memory. */
export interface SweepHelper {
  /** Its instance is built and waiting: until then the caller does not hand it work. */
  readonly ready: boolean;
  /** Starts `sweep(...args)` (int8-sweep.ts's parameters) on the helper's thread; returns at once. */
  begin(args: readonly number[]): void;
  /** Blocks until the sweep begun is done; false if it took longer than `timeoutMs`. */
  finish(timeoutMs: number): boolean;
  /** Ends the thread. */
  stop(): void;
}

/** Threads a table's sweeps can be shared with. */
export interface SweepHelpers {
  /** How many helpers start() gives (0: the caller sweeps alone). */
  readonly count: number;
  /** Starts the helpers, each instantiating `module` over `memory` (a shared one); they become ready in their own time. */
  start(module: WebAssembly.Module, memory: WebAssembly.Memory): readonly SweepHelper[];
}

/**
 * Rows a part must have at least for a helper to take it: handing work to a
 * thread and waiting for it costs tens of µs, the sweep of 16k rows ~0.25 ms.
 * A smaller table is swept by the caller alone (and starts no helpers).
 */
export const MIN_ROWS_PER_PART = 16_384;

/** A helper whose part has not come back in this long is given up (stopped) and its rows swept by the caller. */
const HELPER_TIMEOUT_MS = 10_000;

/** Addresses (bytes) one part writes: its offsets (room for `room` of them) and its Σe·V lanes and result. */
export interface PartBlocks {
  readonly offItems: number;
  readonly offValues: number;
  readonly room: number;
  readonly acc: number;
  readonly result: number;
}

/** Addresses (bytes) of the table and the user vector, and the sweep's constants. */
export interface PartsInput {
  readonly codes: number;
  readonly scales: number;
  readonly bias: number;
  readonly user16: number;
  readonly scores: number;
  readonly dim: number;
  readonly n4: number;
}

export class SweepParts {
  private helpers: SweepHelper[];

  constructor(
    private readonly buffer: ArrayBufferLike,
    private readonly fused: Int8SweepExports,
    private readonly input: PartsInput,
    /** One per thread, the caller's first: blocks.length − 1 helpers at most. */
    private readonly blocks: readonly PartBlocks[],
    helpers: readonly SweepHelper[],
  ) {
    this.helpers = helpers.slice(0, blocks.length - 1);
  }

  /** Threads a sweep runs on now: the caller and the helpers ready (as many as the table has parts of MIN_ROWS_PER_PART). */
  get threads(): number {
    return 1 + this.ready().length;
  }

  private ready(): SweepHelper[] {
    const most = Math.max(0, Math.floor(this.input.n4 / MIN_ROWS_PER_PART) - 1);
    return this.helpers.filter((h) => h.ready).slice(0, most);
  }

  /**
   * Rows [0, n4) swept in parts: scores into the table's score block, the
   * merged max, Σe, Σe·bias and (with `means`) Σe·V into `out` (f32 lanes).
   * Null when some part's offsets exceed the room kept for them.
   */
  run(pop: number, uscale: number, offsets: SparseOffsets | null, means: boolean, out: Float32Array): { max: number; z: number; sumBias: number } | null {
    const ready = this.ready();
    const ranges = rowRanges(this.input.n4, 1 + ready.length);
    const cuts = offsets ? offsetCuts(offsets.items, ranges, this.input.n4) : null;
    const counts = ranges.map((_, p) => this.writeOffsets(offsets, cuts, ranges, p, p));
    if (counts.some((count) => count < 0)) return null;
    ready.forEach((helper, j) => helper.begin(this.args(ranges[j + 1]!, j + 1, counts[j + 1]!, pop, uscale, means)));
    this.fused.sweep(...this.args(ranges[0]!, 0, counts[0]!, pop, uscale, means));
    const parts: PartSums[] = [this.read(0, means, out.length)];
    ready.forEach((helper, j) => {
      if (helper.finish(HELPER_TIMEOUT_MS)) {
        parts.push(this.read(j + 1, means, out.length));
        return;
      }
      // A helper that died or stalls: stopped, never asked again; its rows swept here (its blocks no longer read).
      helper.stop();
      this.helpers = this.helpers.filter((h) => h !== helper);
      const count = this.writeOffsets(offsets, cuts, ranges, j + 1, 0);
      this.fused.sweep(...this.args(ranges[j + 1]!, 0, count, pop, uscale, means));
      parts.push(this.read(0, means, out.length));
    });
    return mergeParts(parts, means ? out : null);
  }

  /** Ends the helper threads (the caller sweeps alone from now on). */
  stop(): void {
    for (const helper of this.helpers) helper.stop();
    this.helpers = [];
  }

  /** Range p's offsets into block b's room; their count, or −1 if they do not fit. */
  private writeOffsets(offsets: SparseOffsets | null, cuts: readonly number[] | null, ranges: readonly RowRange[], p: number, b: number): number {
    if (!offsets || !cuts) return 0;
    const part = rangeOffsets(offsets, cuts, p, ranges[p]!.start);
    const block = this.blocks[b]!;
    if (part.items.length > block.room) return -1;
    new Int32Array(this.buffer, block.offItems, part.items.length).set(part.items);
    new Float32Array(this.buffer, block.offValues, part.values.length).set(part.values);
    return part.items.length;
  }

  /** sweep()'s arguments for `range` written to block b. */
  private args(range: RowRange, b: number, count: number, pop: number, uscale: number, means: boolean): Parameters<Int8SweepExports['sweep']> {
    const { codes, scales, bias, user16, scores, dim } = this.input;
    const block = this.blocks[b]!;
    const { start } = range;
    return [codes + start * dim, scales + 4 * start, bias + 4 * start, user16, range.count, dim, pop, uscale, scores + 4 * start, block.offItems, block.offValues, count, block.acc, block.result, means ? 1 : 0];
  }

  /** Block b's result, copied out (the block may be written again before the merge). */
  private read(b: number, means: boolean, lanes: number): PartSums {
    const block = this.blocks[b]!;
    const max = new Float32Array(this.buffer, block.result, 1)[0]!;
    const [z, sumBias] = new Float64Array(this.buffer, block.result + 8, 2);
    return { max, z: z!, sumBias: sumBias!, weighted: means ? new Float32Array(this.buffer, block.acc, lanes).slice() : null };
  }
}
