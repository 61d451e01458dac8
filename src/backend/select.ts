import { BACKENDS, type BackendName, type BackendPreference } from './names';

/** One backend's result in a selection: probe time in ms, or why it was not used. */
export interface BackendTiming {
  readonly name: BackendName;
  /** Time of one adaptation + ranking after a warm-up run (the fastest of PROBE_RUNS in `auto`), ms; null when not measured. */
  readonly ms: number | null;
  readonly error?: string;
}

export interface BackendChoice {
  readonly backend: BackendName;
  readonly timings: readonly BackendTiming[];
  /** One sentence on why this backend, for logs and the privacy/debug panel. */
  readonly reason: string;
}

/** The outside world selection needs; injectable so the logic is testable without a browser. */
export interface SelectionEnv {
  /** Makes a backend active, or throws an Error saying why it cannot. */
  activate(name: BackendName): Promise<void>;
  now(): number;
  /** How reasons name a backend (e.g. what runs behind "webgpu"); default its name in quotes. */
  label?(name: BackendName): string;
  /** Items the probe ranks, once it has run (the catalog's size); unknown (0) by default. */
  catalogItems?(): number;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Time `auto` may spend trying more backends once one works, when the page
 * gives none, ms: backends after it are skipped. Counted from the first
 * working backend's measurement, so that building the model (seconds for a
 * large catalog on a busy CPU, and needed whatever runs it) does not use it up.
 */
export const SELECTION_BUDGET_MS = 4000;

/**
 * A probe (adaptation + ranking) faster than this leaves a GPU nothing to win,
 * ms: its dispatches and readback alone cost about as much, so `auto` stops there.
 */
export const GOOD_ENOUGH_MS = 8;

/**
 * From this catalog size on, `auto` times "webgpu" even after a CPU backend
 * came in under GOOD_ENOUGH_MS, items. Measured (bench/results/browser-wgsl-2026-12-01.json,
 * 2 shared cores, 2 steps, 20 clicks): wasm's host kernel adapts and ranks 10k
 * items in 0.9 ms but 100k in 20 ms, more than a 60 Hz frame, and its scan
 * grows with the catalog while a GPU's stays flat until its cores fill. So
 * below 100k a GPU has nothing to win; from 100k on, a fast CPU that happens
 * to stay under GOOD_ENOUGH_MS must still be measured against the GPU.
 */
export const GPU_PROBE_ITEMS = 100_000;

/**
 * Timed probes per backend in `auto`; the fastest counts. A busy machine only
 * ever adds time, and one sample under load picked a GPU path 5× slower than
 * wasm at 100k items (bench/results/browser-wgsl-2026-12-01b.json, workerClicks).
 */
export const PROBE_RUNS = 3;

/**
 * Picks the tfjs backend. An explicit preference is honoured or throws; `auto`
 * tries BACKENDS in order (wasm, webgpu, webgl, cpu): see fastestOf.
 */
export async function chooseBackend(
  preference: BackendPreference,
  probe: () => Promise<void>,
  budgetMs: number,
  env: SelectionEnv,
  model: ModelBackends = ANY_BACKEND,
): Promise<BackendChoice> {
  if (preference !== 'auto' && !model.only.includes(preference)) {
    throw new Error(`backend "${preference}" cannot run this model: ${model.why}. Use backend "auto" or one of ${model.only.join(', ')}.`);
  }
  if (preference !== 'auto') {
    try {
      await env.activate(preference);
    } catch (error) {
      throw new Error(`${message(error)} Use backend: "auto" to fall back.`);
    }
    const ms = await timeProbe(probe, env);
    return { backend: preference, timings: [{ name: preference, ms }], reason: `${labelOf(env, preference)} was requested explicitly.` };
  }
  return fastestOf(autoCandidates(model), probe, budgetMs, env);
}

/** The backends a model can run on, and why when not all. */
export interface ModelBackends {
  readonly only: readonly BackendName[];
  /** The backends `auto` and the fallback after a lost device try, in order (default: BACKENDS within `only`). */
  readonly auto?: readonly BackendName[];
  readonly why: string;
}

/** The candidates of `auto` for a model, in order. */
function autoCandidates(model: ModelBackends): readonly BackendName[] {
  return model.auto ?? BACKENDS.filter((b) => model.only.includes(b));
}

/** A model of float tensors runs on every backend. */
export const ANY_BACKEND: ModelBackends = { only: BACKENDS, why: '' };

/**
 * The backend to move to after `from` failed mid-session (a lost WebGPU
 * device): `auto`'s choice among the others, timed with the same probe, so
 * the visitor lands on the fastest that works rather than the next in a list.
 */
export async function fallbackBackend(from: BackendName, probe: () => Promise<void>, budgetMs: number, env: SelectionEnv, model: ModelBackends = ANY_BACKEND): Promise<BackendChoice> {
  try {
    return await fastestOf(autoCandidates(model).filter((b) => b !== from), probe, budgetMs, env);
  } catch (error) {
    throw new Error(`No backend to fall back to after "${from}" failed: ${message(error)}`);
  }
}

/**
 * Times `probe` (one real adaptation + ranking) on each candidate in order
 * that initialises while `budgetMs` lasts (counted once one works), stops as
 * soon as one is under GOOD_ENOUGH_MS (but times "webgpu" on catalogs of
 * GPU_PROBE_ITEMS or more), and activates the fastest.
 */
async function fastestOf(candidates: readonly BackendName[], probe: () => Promise<void>, budgetMs: number, env: SelectionEnv): Promise<BackendChoice> {
  const timings: BackendTiming[] = [];
  let since: number | null = null;
  for (const name of candidates) {
    const spent = since === null ? 0 : env.now() - since;
    const fast = timings.find((t) => t.ms !== null && t.ms < GOOD_ENOUGH_MS);
    const large = name === 'webgpu' && (env.catalogItems?.() ?? 0) >= GPU_PROBE_ITEMS;
    if (fast && !large) {
      timings.push({ name, ms: null, error: `skipped: ${labelOf(env, fast.name)} already adapts and ranks in ${fast.ms!.toFixed(1)} ms, under the ${GOOD_ENOUGH_MS} ms a GPU's dispatch and readback cost` });
      continue;
    }
    if (since !== null && spent > budgetMs) {
      timings.push({ name, ms: null, error: `skipped: the ${budgetMs} ms selection budget was spent (${Math.round(spent)} ms)` });
      continue;
    }
    try {
      await env.activate(name);
      // The first run compiles shaders / warms caches; the next are what a click costs.
      await probe();
      timings.push({ name, ms: await timeProbe(probe, env, PROBE_RUNS) });
      since ??= env.now();
    } catch (error) {
      timings.push({ name, ms: null, error: message(error) });
    }
  }

  const measured = timings.filter((t): t is BackendTiming & { ms: number } => t.ms !== null);
  if (measured.length === 0) {
    const reasons = new Set(timings.map((t) => t.error?.replace(/\.$/, '')));
    // The same failure everywhere is the probe's (e.g. a broken model), not the backends'.
    if (reasons.size === 1 && timings.length > 1) throw new Error(`Every tfjs backend failed the same way: ${[...reasons][0]}.`);
    throw new Error(`No tfjs backend works here: ${timings.map((t) => `${t.name}: ${t.error?.replace(/\.$/, '')}`).join('; ') || 'none to try'}.`);
  }
  const best = measured.reduce((a, b) => (b.ms < a.ms ? b : a));
  await env.activate(best.name);
  const others = measured.filter((t) => t !== best).map((t) => `${labelOf(env, t.name)} ${t.ms.toFixed(1)} ms`);
  const items = env.catalogItems?.() ?? 0;
  const at = items > 0 ? ` at ${items.toLocaleString('en-US')} items` : '';
  const reason =
    measured.length === 1 && best.ms < GOOD_ENOUGH_MS
      ? `${labelOf(env, best.name)} adapts and ranks${at} in ${best.ms.toFixed(1)} ms, under ${GOOD_ENOUGH_MS} ms: no other backend was tried.`
      : `${labelOf(env, best.name)} was fastest${at} (${best.ms.toFixed(1)} ms per adaptation + ranking${others.length ? `; ${others.join(', ')}` : ''})${gpuNote(items, measured)}.`;
  return { backend: best.name, timings, reason };
}

/** Why "webgpu" was timed although a backend before it was fast enough, when that happened. */
function gpuNote(items: number, measured: readonly { name: BackendName; ms: number }[]): string {
  const forced = items >= GPU_PROBE_ITEMS && measured.some((t) => t.name === 'webgpu') && measured.some((t) => t.name !== 'webgpu' && t.ms < GOOD_ENOUGH_MS);
  return forced ? `; "webgpu" was timed too, as catalogs from ${GPU_PROBE_ITEMS.toLocaleString('en-US')} items may click faster on a GPU` : '';
}

function labelOf(env: SelectionEnv, name: BackendName): string {
  return env.label?.(name) ?? `"${name}"`;
}

/** The fastest of `runs` timed probes, ms. */
async function timeProbe(probe: () => Promise<void>, env: SelectionEnv, runs = 1): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = env.now();
    await probe();
    best = Math.min(best, env.now() - t0);
  }
  return best;
}
