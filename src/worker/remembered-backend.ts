/**
 * `auto`'s backend choice, remembered with the cached model version on this
 * device: timing every backend costs seconds on a large catalog (a GPU's
 * shaders compile, its table uploads), so a returning visitor's start
 * activates the remembered backend directly. A choice that no longer works
 * (the GPU went away) is timed again from scratch; a new model version is
 * always timed anew (its pointer carries no choice).
 */

import type { BackendChoice, BackendName, BackendPreference, BackendTiming, ModelBackends } from '../backend';
import type { RememberedBackend } from '../storage/schema';

export interface RememberOptions {
  readonly preference: BackendPreference;
  /** The choice stored with the cached artifact, if any. */
  readonly remembered: RememberedBackend | undefined;
  readonly backends: ModelBackends;
  /** Selection as the engine runs it (activation and the probe). */
  select(preference: BackendPreference): Promise<BackendChoice>;
  /** Stores a fresh choice of `auto` (best effort: a failure costs only a later re-timing). */
  remember(choice: RememberedBackend): void;
}

/** The backend to run on: the remembered one when `auto` has one that still activates, else a full selection (remembered when `auto`). */
export async function chooseWithMemory(options: RememberOptions): Promise<BackendChoice> {
  const { preference, remembered, backends } = options;
  if (preference === 'auto' && remembered && backends.only.includes(remembered.backend as BackendName)) {
    try {
      const again = await options.select(remembered.backend as BackendName);
      const day = new Date(remembered.at).toISOString().slice(0, 10);
      return {
        backend: again.backend,
        timings: remembered.timings as readonly BackendTiming[],
        reason: `${remembered.reason.replace(/\.$/, '')}: measured when this model version first started on this device (${day}), and kept.`,
      };
    } catch {
      // It no longer works here: time them all again.
    }
  }
  const choice = await options.select(preference);
  if (preference === 'auto') options.remember({ backend: choice.backend, reason: choice.reason, timings: choice.timings, at: Date.now() });
  return choice;
}
