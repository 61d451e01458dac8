// The one module that imports and picks tfjs backends. Browser-only: it
// registers the webgpu and wasm backends at import.
import { activate } from './availability';
import type { BackendName, BackendPreference } from './names';
import { chooseBackend, fallbackBackend, SELECTION_BUDGET_MS, type BackendChoice, type SelectionEnv } from './select';

export { BACKENDS, parseBackendPreference, type BackendName, type BackendPreference } from './names';
export { activeBackend, loseDeviceForTesting, tensorCount, watchDeviceLost } from './availability';
export { chooseBackend, fallbackBackend, SELECTION_BUDGET_MS, type BackendChoice, type BackendTiming, type SelectionEnv } from './select';

const browserEnv: SelectionEnv = { activate, now: () => performance.now() };

/** Picks and activates a tfjs backend (see chooseBackend); budget in ms. */
export function selectBackend(preference: BackendPreference, probe: () => Promise<void>, budgetMs = SELECTION_BUDGET_MS): Promise<BackendChoice> {
  return chooseBackend(preference, probe, budgetMs, browserEnv);
}

/** Activates the fastest backend other than `from` (e.g. when the WebGPU device is lost), timed with `probe`; budget in ms. */
export function fallback(from: BackendName, probe: () => Promise<void>, budgetMs = SELECTION_BUDGET_MS): Promise<BackendChoice> {
  return fallbackBackend(from, probe, budgetMs, browserEnv);
}
