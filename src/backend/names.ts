/**
 * The tfjs backends localrec knows, in the order `auto` (and the fallback
 * after a lost device) tries them: wasm first, because it initialises in well
 * under a second everywhere and its host kernel adapts and ranks a 10k-item
 * catalog in about 1 ms, while the GPU backends first compile shaders
 * (seconds on an emulated GPU) and pay a dispatch and a readback per click.
 */
export const BACKENDS = ['wasm', 'webgpu', 'webgl', 'cpu'] as const;

export type BackendName = (typeof BACKENDS)[number];

/** What a caller may ask for: a named backend, or `auto` (fastest that works). */
export type BackendPreference = BackendName | 'auto';

/** Narrows an untrusted string to a backend preference, naming the choices on failure. */
export function parseBackendPreference(value: unknown): BackendPreference {
  if (value === undefined || value === null) return 'auto';
  if (value === 'auto' || (BACKENDS as readonly unknown[]).includes(value)) return value as BackendPreference;
  throw new Error(`Unknown backend ${JSON.stringify(value)}: use one of "auto", ${BACKENDS.map((b) => `"${b}"`).join(', ')}.`);
}
