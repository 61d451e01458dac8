// The one module that imports and picks tfjs backends. Browser-only: it
// registers the webgpu and wasm backends at import.
import { activate } from './availability';
import type { BackendName, BackendPreference } from './names';
import { ANY_BACKEND, chooseBackend, fallbackBackend, SELECTION_BUDGET_MS, type BackendChoice, type ModelBackends, type SelectionEnv } from './select';

export { BACKENDS, parseBackendPreference, type BackendName, type BackendPreference } from './names';
export { activeBackend, backendMemory, loseDeviceForTesting, tensorCount, watchDeviceLost, webgpuBackendDevice, type BackendMemory } from './availability';
export { ANY_BACKEND, chooseBackend, fallbackBackend, GPU_PROBE_ITEMS, SELECTION_BUDGET_MS, type BackendChoice, type BackendTiming, type ModelBackends, type SelectionEnv } from './select';

/**
 * A caller that runs some backends on its own path: `activate` replaces tfjs's
 * activation (given as `tfjs`), `label` names what runs behind a backend in
 * the reasons (the worker runs "webgpu" on its WGSL kernel), and
 * `catalogItems` says how many items the probe ranks (see GPU_PROBE_ITEMS).
 */
export interface BackendPaths extends Pick<SelectionEnv, 'label' | 'catalogItems'> {
  activate(name: BackendName, tfjs: (name: BackendName) => Promise<void>): Promise<void>;
}

const TFJS_ONLY: BackendPaths = { activate: (name, tfjs) => tfjs(name) };

function browserEnv(paths: BackendPaths): SelectionEnv {
  const { label, catalogItems } = paths;
  return { activate: (name) => paths.activate(name, activate), now: () => performance.now(), ...(label ? { label } : {}), ...(catalogItems ? { catalogItems } : {}) };
}

/** Picks and activates a backend (see chooseBackend); budget in ms. */
export function selectBackend(preference: BackendPreference, probe: () => Promise<void>, budgetMs = SELECTION_BUDGET_MS, paths = TFJS_ONLY, model: ModelBackends = ANY_BACKEND): Promise<BackendChoice> {
  return chooseBackend(preference, probe, budgetMs, browserEnv(paths), model);
}

/** Activates the fastest backend other than `from` (e.g. when the WebGPU device is lost), timed with `probe`; budget in ms. */
export function fallback(from: BackendName, probe: () => Promise<void>, budgetMs = SELECTION_BUDGET_MS, paths = TFJS_ONLY, model: ModelBackends = ANY_BACKEND): Promise<BackendChoice> {
  return fallbackBackend(from, probe, budgetMs, browserEnv(paths), model);
}
