/**
 * What runs the worker's clicks on each backend, and how backend selection
 * times it: "webgpu" is the WGSL kernel (wgsl-path.ts), every other backend
 * is tfjs's with core's kernel for it (host loops on wasm and cpu, tfjs
 * operations on webgl).
 */

import type { BackendPaths } from '../backend';
import { adapt } from '../core/adapt';
import { initialState, kernelFor, rank } from '../core/kernels';
import { disposeState } from '../core/state';
import { withKernel, type EngineModel } from './model';
import { RANKING_SIZE } from './session';
import type { WgslPath } from './wgsl-path';

/** Something that builds the model on the active tfjs backend (the engine's ModelCache). */
export interface ModelSource {
  here(): Promise<EngineModel>;
}

/** The model on the active backend, with the WGSL kernel when "webgpu" runs the clicks. */
export async function runningModel(models: ModelSource, wgsl: WgslPath): Promise<EngineModel> {
  const model = await models.here();
  return wgsl.active ? withKernel(model, await wgsl.kernelFor(model.adaptModel)) : model;
}

/** The kernel that runs `model`'s clicks on the active backend: "wgsl", "host" or "tfjs". */
export function kernelName(model: EngineModel): string {
  return kernelFor(model.kernel).name;
}

/**
 * Selection's view of the worker's backends: "webgpu" activates the WGSL path
 * (tfjs on a host backend under it), any other leaves it for tfjs's backend.
 * `items`: the catalog size, once a probe has built the model.
 */
export function backendPaths(wgsl: WgslPath, items: () => number): BackendPaths {
  return {
    async activate(name, tfjs) {
      if (name === 'webgpu') return wgsl.activate(tfjs);
      wgsl.deactivate();
      await tfjs(name);
    },
    label: (name) => (name === 'webgpu' ? '"webgpu" (WGSL kernel)' : `"${name}"`),
    catalogItems: items,
  };
}

/** One real adaptation + ranking, as a click costs: what backend selection times. */
export async function probe(model: EngineModel): Promise<void> {
  const n = model.catalog.length;
  const clicks = Int32Array.from([0, 1, 2].map((i) => i % n));
  const { kernel } = model;
  const start = initialState(model.adaptModel, clicks, kernel);
  try {
    const out = await adapt(model.adaptModel, start, { clicks, negatives: Int32Array.of(3 % n) }, {
      steps: model.steps,
      negativeWeight: model.negativeWeight,
      ...(kernel ? { kernel } : {}),
    });
    try {
      await rank(model.adaptModel.items, out.state, RANKING_SIZE, Int32Array.from(new Set(clicks)), kernel);
    } finally {
      disposeState(out.state);
    }
  } finally {
    disposeState(start);
  }
}
