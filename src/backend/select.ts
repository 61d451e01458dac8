import { BACKENDS, type BackendName, type BackendPreference } from './names';

/** One backend's result in a selection: probe time in ms, or why it was not used. */
export interface BackendTiming {
  readonly name: BackendName;
  /** Time of one timed probe (adaptation + ranking) after a warm-up run, ms; null when not measured. */
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
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Time budget of `auto` selection when the page gives none, ms: backends after it are skipped once one works. */
export const SELECTION_BUDGET_MS = 4000;

/**
 * A probe (adaptation + ranking) faster than this leaves a GPU nothing to win,
 * ms: its dispatches and readback alone cost about as much, so `auto` stops there.
 */
export const GOOD_ENOUGH_MS = 8;

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
    return { backend: preference, timings: [{ name: preference, ms }], reason: `"${preference}" was requested explicitly.` };
  }
  return fastestOf(BACKENDS.filter((b) => model.only.includes(b)), probe, budgetMs, env);
}

/** The backends a model can run on, and why when not all. */
export interface ModelBackends {
  readonly only: readonly BackendName[];
  readonly why: string;
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
    return await fastestOf(BACKENDS.filter((b) => b !== from && model.only.includes(b)), probe, budgetMs, env);
  } catch (error) {
    throw new Error(`No backend to fall back to after "${from}" failed: ${message(error)}`);
  }
}

/**
 * Times `probe` (one real adaptation + ranking) on each candidate in order
 * that initialises while `budgetMs` lasts (always until one works), stops as
 * soon as one is under GOOD_ENOUGH_MS, and activates the fastest.
 */
async function fastestOf(candidates: readonly BackendName[], probe: () => Promise<void>, budgetMs: number, env: SelectionEnv): Promise<BackendChoice> {
  const start = env.now();
  const timings: BackendTiming[] = [];
  for (const name of candidates) {
    const spent = env.now() - start;
    const fast = timings.find((t) => t.ms !== null && t.ms < GOOD_ENOUGH_MS);
    if (fast) {
      timings.push({ name, ms: null, error: `skipped: "${fast.name}" already adapts and ranks in ${fast.ms!.toFixed(1)} ms, under the ${GOOD_ENOUGH_MS} ms a GPU's dispatch and readback cost` });
      continue;
    }
    const haveOne = timings.some((t) => t.ms !== null);
    if (haveOne && spent > budgetMs) {
      timings.push({ name, ms: null, error: `skipped: the ${budgetMs} ms selection budget was spent (${Math.round(spent)} ms)` });
      continue;
    }
    try {
      await env.activate(name);
      // The first run compiles shaders / warms caches; the second is what a click costs.
      await probe();
      timings.push({ name, ms: await timeProbe(probe, env) });
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
  const others = measured.filter((t) => t !== best).map((t) => `${t.name} ${t.ms.toFixed(1)} ms`);
  const reason =
    measured.length === 1 && best.ms < GOOD_ENOUGH_MS
      ? `"${best.name}" adapts and ranks in ${best.ms.toFixed(1)} ms, under ${GOOD_ENOUGH_MS} ms: no other backend was tried.`
      : `"${best.name}" was fastest (${best.ms.toFixed(1)} ms per adaptation + ranking${others.length ? `; ${others.join(', ')}` : ''}).`;
  return { backend: best.name, timings, reason };
}

async function timeProbe(probe: () => Promise<void>, env: SelectionEnv): Promise<number> {
  const t0 = env.now();
  await probe();
  return env.now() - t0;
}
