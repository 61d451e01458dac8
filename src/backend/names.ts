/** The tfjs backends localrec knows, in fallback order (GPU first); `auto` probes in select.AUTO_ORDER. */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKENDS)[number];

/** What a caller may ask for: a named backend, or `auto` (fastest that works). */
export type BackendPreference = BackendName | 'auto';

/** Narrows an untrusted string to a backend preference, naming the choices on failure. */
export function parseBackendPreference(value: unknown): BackendPreference {
  if (value === undefined || value === null) return 'auto';
  if (value === 'auto' || (BACKENDS as readonly unknown[]).includes(value)) return value as BackendPreference;
  throw new Error(`Unknown backend ${JSON.stringify(value)}: use one of "auto", ${BACKENDS.map((b) => `"${b}"`).join(', ')}.`);
}
