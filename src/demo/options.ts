// Page options from the URL, e.g. ?backend=wasm&simSpeed=fast&seed=3.
import type { BackendPreference } from '../index';
import { BACKEND_CHOICES } from './engine-view';
import { parseSimSpeed, type SimSpeed } from './simulator';

export const DEFAULT_MODEL_URL = '/models/demo/model.json';

export interface PageOptions {
  readonly modelUrl: string;
  readonly backend: BackendPreference;
  readonly simSpeed: SimSpeed;
  /** Seed of the simulated visitor's random clicks. */
  readonly seed: number;
  /** Optional IndexedDB name (tests, several demos on one origin). */
  readonly dbName: string | undefined;
}

/** Reads the options from a query string; bad values throw, naming the choices. */
export function readOptions(search: string): PageOptions {
  const q = new URLSearchParams(search);
  const backend = q.get('backend') ?? 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(backend)) {
    throw new Error(`Unknown backend "${backend}" in the URL: use one of ${BACKEND_CHOICES.join(', ')}.`);
  }
  const seed = Number(q.get('seed') ?? '1');
  if (!Number.isInteger(seed)) throw new Error(`seed=${q.get('seed')} in the URL must be a whole number.`);
  return {
    modelUrl: q.get('model') ?? DEFAULT_MODEL_URL,
    backend: backend as BackendPreference,
    simSpeed: parseSimSpeed(q.get('simSpeed')),
    seed,
    dbName: q.get('db') ?? undefined,
  };
}

/** Keeps the chosen backend in the URL so a reload starts on it again. */
export function rememberBackend(backend: BackendPreference): void {
  const url = new URL(location.href);
  if (backend === 'auto') url.searchParams.delete('backend');
  else url.searchParams.set('backend', backend);
  history.replaceState(null, '', url);
}
