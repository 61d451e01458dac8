/**
 * A visitor's state as the WGSL kernel hands it to the driver and gets it
 * back: UserState (core/types: tensors on the active tfjs backend, sparse
 * rows), and, for the states the kernel made, what it knows about them
 * without reading a tensor: the values, the sparse score offsets, the ranking
 * its click computed, and the submission whose scores of it are still on the GPU.
 */

import * as tf from '@tensorflow/tfjs-core';
import { rowValue } from '../core/neighbours';
import type { SparseRow, UserState } from '../core/types';
import type { GpuState, OffsetRows } from './click-types';

/** The top k a submission computed for a state, and the exclusions it skipped (sorted, distinct). */
export interface KnownRanking {
  readonly k: number;
  readonly exclude: Int32Array;
  readonly indices: Int32Array;
  readonly scores: Float32Array;
}

/** What the kernel knows about a state it made or ranked. */
export interface KnownState {
  readonly values: GpuState;
  readonly rows: OffsetRows;
  ranking: KnownRanking | null;
  /** The submission that left this state's scores in the ranked slot (0: none). */
  submission: number;
}

/** Backends whose tensors live in host memory: reading them is synchronous and costs no GPU read-back. */
const HOST_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/** The kernel's states, keyed by their user tensor (tfjs tensors never change; a disposed state's entry goes with it). */
export class StateRegistry {
  private readonly known = new WeakMap<tf.Tensor, KnownState>();

  get(state: UserState): KnownState | undefined {
    return this.known.get(state.user);
  }

  /** Tensors of `values` (with the sparse offset rows where the model has them), remembered with `known`. */
  make(known: KnownState, withKnn: boolean, withSeq: boolean): UserState {
    const { values, rows } = known;
    const state: UserState = {
      user: tf.tensor2d(values.user, [1, values.user.length]),
      pop: tf.tensor2d([values.pop], [1, 1]),
      ...(withKnn ? { knn: tf.tensor2d([values.knn ?? 0], [1, 1]), neighbours: rowOf(rows, rows.n) } : {}),
      ...(withSeq ? { seq: tf.tensor2d([values.seq ?? 0], [1, 1]), transitions: rowOf(rows, rows.t) } : {}),
    };
    this.known.set(state.user, known);
    return state;
  }

  /** What the kernel knows of `state`, reading its tensors synchronously where they live in host memory; null elsewhere. */
  now(state: UserState): KnownState | null {
    const known = this.known.get(state.user);
    if (known) return known;
    if (!HOST_BACKENDS.includes(tf.getBackend())) return null;
    return this.remember(state, (t) => t.dataSync() as Float32Array);
  }

  /** As now(), reading GPU-backed tensors with await data(). */
  async read(state: UserState): Promise<KnownState> {
    const known = this.now(state);
    if (known) return known;
    const fields = [state.user, state.pop, state.knn, state.seq];
    const values = new Map<tf.Tensor, Float32Array>();
    for (const t of fields) if (t) values.set(t, (await t.data()) as Float32Array);
    return this.remember(state, (t) => values.get(t)!);
  }

  private remember(state: UserState, read: (t: tf.Tensor) => Float32Array): KnownState {
    const one = (t: tf.Tensor | undefined) => (t ? read(t)[0]! : undefined);
    const knn = one(state.knn);
    const seq = one(state.seq);
    const values: GpuState = { user: Float32Array.from(read(state.user)), pop: one(state.pop)!, ...(knn !== undefined ? { knn } : {}), ...(seq !== undefined ? { seq } : {}) };
    const known: KnownState = { values, rows: offsetRows(state.neighbours, state.transitions), ranking: null, submission: 0 };
    this.known.set(state.user, known);
    return known;
  }
}

/** The item-item and sequential rows (either may be absent) merged into the kernel's entries, sorted by item; entries zero in both dropped. */
export function offsetRows(n?: SparseRow, t?: SparseRow): OffsetRows {
  const value = (row: SparseRow | undefined, i: number) => (row ? rowValue(row, i) : 0);
  const items = sortedDistinct([...(n?.items ?? []), ...(t?.items ?? [])]).filter((i) => value(n, i) !== 0 || value(t, i) !== 0);
  return { items, n: Float32Array.from(items, (i) => value(n, i)), t: Float32Array.from(items, (i) => value(t, i)) };
}

/** One of the kernel's rows (`values`: rows.n or rows.t) as a sparse row: its non-zero entries. */
function rowOf(rows: OffsetRows, values: Float32Array): SparseRow {
  const kept = [...values.keys()].filter((j) => values[j] !== 0);
  return { items: Int32Array.from(kept, (j) => rows.items[j]!), values: Float32Array.from(kept, (j) => values[j]!) };
}

/** Sorted distinct items. */
export function sortedDistinct(items: ArrayLike<number>): Int32Array {
  return Int32Array.from(new Set(Array.from(items))).sort();
}

/** The cached ranking's answer for top `k` skipping `exclude` (sorted, distinct), or null when it cannot give it. */
export function fromRanking(ranking: KnownRanking | null, k: number, exclude: Int32Array): { indices: Int32Array; scores: Float32Array } | null {
  if (!ranking || ranking.exclude.length !== exclude.length || !ranking.exclude.every((x, j) => x === exclude[j])) return null;
  // Fewer than asked means the catalog ran out: the list is complete for any k.
  const complete = ranking.indices.length < ranking.k;
  if (k > ranking.k && !complete) return null;
  return { indices: ranking.indices.slice(0, k), scores: ranking.scores.slice(0, k) };
}
