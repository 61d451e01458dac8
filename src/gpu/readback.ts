/**
 * Reading a submission's results back: one mapAsync that a lost device turns
 * into a GpuDeviceLostError instead of a wait that never ends, and the
 * per-dispatch GPU times resolved into the same buffer.
 */

import { GpuDeviceLostError, type GpuContext } from './device';

/**
 * Maps `bytes` of `staging` (all of it when null), copies them out and unmaps.
 * `waiting` holds the rejecters a device-loss listener calls for every map in flight.
 */
export async function mapForReading(gpu: GpuContext, staging: GPUBuffer, bytes: number | null, waiting: Set<(error: Error) => void>): Promise<ArrayBuffer> {
  let reject: (error: Error) => void = () => {};
  const lost = new Promise<never>((_, no) => (reject = no));
  waiting.add(reject);
  try {
    await Promise.race([bytes === null ? staging.mapAsync(GPUMapMode.READ) : staging.mapAsync(GPUMapMode.READ, 0, bytes), lost]);
  } catch (error) {
    // A map aborted by the loss can reject before device.lost resolves: give it a moment to.
    const loss = gpu.loss() ?? (await Promise.race([gpu.lost, new Promise<null>((r) => setTimeout(() => r(null), 100))]));
    if (loss) throw new GpuDeviceLostError(loss);
    throw error;
  } finally {
    waiting.delete(reject);
  }
  const copy = (bytes === null ? staging.getMappedRange() : staging.getMappedRange(0, bytes)).slice(0);
  staging.unmap();
  return copy;
}

/** GPU time of each of `dispatches` dispatches from the (begin, end) u64 ns timestamp pairs at byte `offset`, ms. */
export function dispatchTimes(bytes: ArrayBuffer, offset: number, dispatches: number): number[] {
  const ns = new BigUint64Array(bytes, offset, 2 * dispatches);
  return Array.from({ length: dispatches }, (_, d) => Number(ns[2 * d + 1]! - ns[2 * d]!) / 1e6);
}
