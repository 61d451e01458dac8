// The one module that imports and picks tfjs backends. Browser-only: it
// registers the webgpu and wasm backends at import.
import { activate } from './availability';
import type { BackendName, BackendPreference } from './names';
import { ANY_BACKEND, chooseBackend, fallbackBackend, SELECTION_BUDGET_MS, type BackendChoice, type ModelBackends, type SelectionEnv } from './select';

export { BACKENDS, parseBackendPreference, type BackendName, type BackendPreference } from './names';
export { activeBackend, loseDeviceForTesting, tensorCount, watchDeviceLost } from './availability';
export { ANY_BACKEND, chooseBackend, fallbackBackend, SELECTION_BUDGET_MS, type BackendChoice, type BackendTiming, type ModelBackends, type SelectionEnv } from './select';

const browserEnv: SelectionEnv = { activate, now: () => performance.now() };

/** Picks and activates a tfjs backend (see chooseBackend); budget in ms. */
export function selectBackend(preference: BackendPreference, probe: () => Promise<void>, budgetMs = SELECTION_BUDGET_MS, model: ModelBackends = ANY_BACKEND): Promise<BackendChoice> {
  return chooseBackend(preference, probe, budgetMs, browserEnv, model);
}

/** Activates the fastest backend other than `from` (e.g. when the WebGPU device is lost), timed with `probe`; budget in ms. */
export function fallback(from: BackendName, probe: () => Promise<void>, budgetMs = SELECTION_BUDGET_MS, model: ModelBackends = ANY_BACKEND): Promise<BackendChoice> {
  return fallbackBackend(from, probe, budgetMs, browserEnv, model);
}
