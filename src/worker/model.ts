import type { KernelChoice } from '../core/kernels';
import type { AdaptModel } from '../core/types';
import type { ItemCatalog } from '../artifact/item-catalog';

/** What the worker needs of a loaded model, on the active backend. */
export interface EngineModel {
  readonly version: string;
  readonly algorithm: string;
  /** Default adaptation steps from the artifact. */
  readonly steps: number;
  /** Total weight of impressions relative to clicks, from the artifact. */
  readonly negativeWeight: number;
  readonly dim: number;
  /** Ids ↔ catalog indices, and an item's metadata when a ranking shows it. */
  readonly catalog: ItemCatalog;
  /** Meta-parameters + precomputed item table; owned by this object. */
  readonly adaptModel: AdaptModel;
  /** What runs its clicks and rankings (default `auto`: core's choice for the tfjs backend; the WGSL kernel on "webgpu"). */
  readonly kernel?: KernelChoice;
  dispose(): void;
}

/** The same model with its clicks on `kernel` (disposing either disposes the model). */
export function withKernel(model: EngineModel, kernel: KernelChoice): EngineModel {
  return { ...model, kernel };
}

/** Catalog index of an item id, or an Error naming the id, model version and catalog size. */
export function indexOf(model: Pick<EngineModel, 'version' | 'catalog'>, itemId: string): number {
  const i = model.catalog.indexOf(itemId);
  if (i === undefined) {
    throw new Error(`Unknown item id "${itemId}": not in catalog ${model.version} (${model.catalog.length.toLocaleString('en-US')} items)`);
  }
  return i;
}
