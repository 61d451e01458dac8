// Runs in the test page (imported by pages/wgsl-*.ts): what every WGSL page
// does before its first click, and the state reads after its last. Core's
// modules only: nothing here touches Node.
import * as tf from '@tensorflow/tfjs-core';
import { webgpuBackendDevice } from '../../../src/backend/availability';
import type { AnyItemLists, UserState } from '../../../src/core/types';
import { acquireGpu, createClickKernel, fixedLists, type AdaptConstants, type GpuClickKernel, type GpuClickOptions, type GpuContext, type GpuItemTable } from '../../../src/gpu';

/** A fixture's GPU side: the table, and for adaptation its constants and lists (fixed or format v2's encoded ones). */
export interface KernelFixture {
  readonly table: GpuItemTable;
  readonly constants?: AdaptConstants;
  readonly neighbours?: AnyItemLists;
  readonly transitions?: AnyItemLists;
}

/**
 * A device (with `shared`, the one tfjs's webgpu backend holds, as the worker
 * takes it; else the kernel's own: acquireGpu throws, naming why, without an
 * adapter) and the fixture uploaded to it as a click kernel.
 */
export async function uploadKernel(fixture: KernelFixture, options?: GpuClickOptions, shared = false): Promise<{ gpu: GpuContext; click: GpuClickKernel }> {
  const gpu = await acquireGpu(shared ? webgpuBackendDevice() : null);
  const { table, constants, neighbours, transitions } = fixture;
  const model = { table, ...(constants ? { constants } : {}), ...(neighbours ? { neighbours: fixedLists(neighbours) } : {}), ...(transitions ? { transitions: fixedLists(transitions) } : {}) };
  return { gpu, click: await createClickKernel(gpu, model, options) };
}

/** A state's parameters as numbers (await data(): safe on every backend); null for a weight the model lacks. */
export async function stateNumbers(state: UserState): Promise<{ user: number[]; pop: number; knn: number | null; seq: number | null }> {
  const one = async (t?: tf.Tensor) => (t ? (await t.data())[0]! : null);
  return { user: Array.from(await state.user.data()), pop: (await one(state.pop))!, knn: await one(state.knn), seq: await one(state.seq) };
}

/** Frees every tensor of a state. */
export function disposeState(state: UserState): void {
  tf.dispose(Object.values(state) as tf.Tensor[]);
}
