// The record of one simulated run, as immutable data and pure updates: every
// persona's hit rate after every click, and who switched to whom when. Every
// persona is scored at every click, so a switch needs no re-run to plot the old
// and the new taste side by side.
import type { PersonaSwitch } from './simulator';

export interface SimRun {
  /** The persona (index) that clicked first. */
  readonly start: number;
  /** rates[p][i]: persona p's hit rate in the live top 10 after i clicks. */
  readonly rates: readonly (readonly number[])[];
  /** unadapted[p][i]: the same on the no-click ranking minus the i clicked items. */
  readonly unadapted: readonly (readonly number[])[];
  readonly switches: readonly PersonaSwitch[];
}

/** An empty run of `personas` personas that starts as persona `start`. */
export function newRun(personas: number, start: number): SimRun {
  if (!Number.isInteger(start) || start < 0 || start >= personas) {
    throw new Error(`Starting persona ${start} is not one of the ${personas} personas: pass an index from 0 to ${personas - 1}.`);
  }
  const empty = Array.from({ length: personas }, () => [] as number[]);
  return { start, rates: empty, unadapted: empty, switches: [] };
}

/** Clicks made so far (the x of the latest point; -1 before the first point). */
export function clicksOf(run: SimRun): number {
  return (run.rates[0]?.length ?? 0) - 1;
}

/** The persona clicking now. */
export function currentOf(run: SimRun): number {
  return run.switches.at(-1)?.to ?? run.start;
}

/** Clicks the current persona has made since it took over (since the start for the first). */
export function turnClicks(run: SimRun): number {
  return Math.max(0, clicksOf(run) - (run.switches.at(-1)?.at ?? 0));
}

/** The run with one more point: every persona's hit rate, live and un-adapted, in persona order. */
export function addPoint(run: SimRun, rates: readonly number[], unadapted: readonly number[]): SimRun {
  if (rates.length !== run.rates.length || unadapted.length !== run.rates.length) {
    throw new Error(`A point needs a hit rate for each of the ${run.rates.length} personas (got ${rates.length} live, ${unadapted.length} un-adapted).`);
  }
  return {
    ...run,
    rates: run.rates.map((series, p) => [...series, rates[p]!]),
    unadapted: run.unadapted.map((series, p) => [...series, unadapted[p]!]),
  };
}

/**
 * The run with persona `to` clicking from now on. Before any click it only
 * changes who starts; switches with no click in between merge (A→B→C is A→C,
 * A→B→A is no switch), so every recorded turn has at least one click.
 */
export function switchTo(run: SimRun, to: number): SimRun {
  if (!Number.isInteger(to) || to < 0 || to >= run.rates.length) {
    throw new Error(`Cannot switch to persona ${to}: there are ${run.rates.length}; pass an index from 0 to ${run.rates.length - 1}.`);
  }
  if (to === currentOf(run)) return run;
  const at = clicksOf(run);
  if (at <= 0 && run.switches.length === 0) return { ...run, start: to };
  const last = run.switches.at(-1);
  if (last && last.at === at) {
    const earlier = run.switches.slice(0, -1);
    return { ...run, switches: to === last.from ? earlier : [...earlier, { ...last, to }] };
  }
  return { ...run, switches: [...run.switches, { at, from: currentOf(run), to }] };
}
