// The simulated visitor's decisions and its scorecard, as pure functions: which
// item a persona clicks, the hit rate of its liked items in a top 10, and how
// many clicks the ranking takes to follow a persona switch (drift).
import type { CategoryWeight } from '../data/persona';

/** Items in the top list the persona considers; the chart's hit rate uses the first HIT_K. */
export const CONSIDERED = 20;
export const HIT_K = 10;
/** Chance of a random click among the considered items instead of the best-liked one. */
export const EXPLORE = 0.1;

export const SIM_SPEEDS = { slow: 2000, normal: 1000, fast: 30 } as const;
export type SimSpeed = keyof typeof SIM_SPEEDS;

/** What the simulator needs to know of a persona (see src/data/persona.ts). */
export interface Taste {
  affinity(itemId: string): number;
  likes(itemId: string): boolean;
}

/**
 * The item the persona clicks: with chance `explore` a random one of the first
 * CONSIDERED shown; else its favourite among them if it likes any; else a
 * random one of `elsewhere` (liked items beyond the list, as a search of the
 * catalog would find them: a visitor whose taste moved goes looking for it);
 * else its favourite shown.
 */
export function chooseClick(shown: readonly string[], taste: Taste, random: () => number, elsewhere: readonly string[] = [], explore = EXPLORE): string {
  const considered = shown.slice(0, CONSIDERED);
  if (considered.length === 0) throw new Error('The simulated visitor has nothing to click: the ranking is empty (catalog exhausted?).');
  if (random() < explore) return considered[Math.floor(random() * considered.length)]!;
  let best = considered[0]!;
  for (const id of considered) if (taste.affinity(id) > taste.affinity(best)) best = id;
  if (taste.likes(best) || elsewhere.length === 0) return best;
  return elsewhere[Math.floor(random() * elsewhere.length)]!;
}

/** Share of the first `k` ids the persona likes, 0..1 (over k, so a short list cannot inflate it). */
export function hitRate(ids: readonly string[], taste: Taste, k = HIT_K): number {
  return ids.slice(0, k).filter((id) => taste.likes(id)).length / k;
}

/**
 * The un-adapted line: the persona's hit rate on the initial (no-click)
 * ranking with the items it has clicked so far removed, as the live list removes them.
 */
export function unadaptedHitRate(initial: readonly string[], clicked: ReadonlySet<string>, taste: Taste, k = HIT_K): number {
  const top: string[] = [];
  for (const id of initial) {
    if (top.length === k) break;
    if (!clicked.has(id)) top.push(id);
  }
  if (top.length < k) {
    throw new Error(`The initial ranking has only ${initial.length} items, too few for a top ${k} after ${clicked.size} clicks: ask recommend() for more.`);
  }
  return hitRate(top, taste, k);
}

/** Parses a `simSpeed` option, naming the choices on failure. */
export function parseSimSpeed(value: string | null): SimSpeed {
  if (value === null || value === '') return 'normal';
  if (value in SIM_SPEEDS) return value as SimSpeed;
  throw new Error(`Unknown simSpeed "${value}": use one of ${Object.keys(SIM_SPEEDS).join(', ')}.`);
}

/**
 * A persona switch in a simulated run: after `at` clicks (the x of the chart),
 * persona `to` took over from `from` (indices into the personas). The stored
 * clicks stay, so the model has to follow a taste that moved.
 */
export interface PersonaSwitch {
  readonly at: number;
  readonly from: number;
  readonly to: number;
}

/** A switch with how the ranking followed it. */
export interface SwitchOutcome extends PersonaSwitch {
  /** Clicks made as `to` after the switch: until the next switch, else so far. */
  readonly clicks: number;
  /** Clicks the ranking took to follow (see clicksToFollow), or null: not followed (yet). */
  readonly followedAfter: number | null;
  /** Whether a later switch ended this persona's turn, so the figure is final. */
  readonly closed: boolean;
}

/** The lead that counts as following: two of the top 10, so one item coming and going is not a crossover. */
export const FOLLOW_MARGIN = 0.2;

/**
 * Clicks the ranking took to follow a switch, the crossover made precise: the
 * first n at which the new persona's hit rate in the top 10 leads the old
 * persona's by at least `margin`, and after which, through the last point
 * given, it is never below the old one's again (ties keep the lead: two tastes
 * that both left the top 10 do not undo the following). `next[n]` and
 * `previous[n]` are the two rates after n clicks as the new persona (n = 0:
 * the ranking at the switch). 0: the new taste already led at the switch;
 * null: not followed (yet).
 */
export function clicksToFollow(next: readonly number[], previous: readonly number[], margin = FOLLOW_MARGIN): number | null {
  if (next.length !== previous.length) {
    throw new Error(`Hit rates after a switch disagree in length: ${next.length} for the new persona, ${previous.length} for the old one; record both at every click.`);
  }
  if (!(margin > 0)) throw new Error(`The follow margin must be above 0 (got ${margin}): a tie is no lead; use e.g. ${FOLLOW_MARGIN}.`);
  // Rates are counts over 10: the epsilon keeps 0.3 − 0.1 (0.19999…) a lead of two.
  const leads = (n: number) => next[n]! - previous[n]! >= margin - 1e-9;
  let followed: number | null = null;
  for (let n = next.length - 1; n >= 0 && next[n]! >= previous[n]!; n--) if (leads(n)) followed = n;
  return followed;
}

/**
 * Every switch's outcome from each persona's hit rate after every click of the
 * run (`rates[p][i]`: persona p's hit rate in the top 10 after i clicks). A
 * switch's turn runs from its `at` to the next switch's `at` (inclusive: that
 * point shows the last click of the turn) or to the latest point.
 */
export function followSwitches(rates: readonly (readonly number[])[], switches: readonly PersonaSwitch[]): SwitchOutcome[] {
  const points = rates[0]?.length ?? 0;
  const rateOf = (p: number): readonly number[] => {
    const series = rates[p];
    if (!series) throw new Error(`Persona ${p} switched to or from, but rates cover only ${rates.length} personas: record every persona's hit rate.`);
    if (series.length !== points) throw new Error(`Persona ${p} has ${series.length} recorded points, persona 0 has ${points}: record every persona at every click.`);
    return series;
  };
  return switches.map((s, k) => {
    const following = switches[k + 1];
    const before = switches[k - 1];
    if (s.from === s.to) throw new Error(`Switch ${k + 1} at click ${s.at} goes from persona ${s.from} to itself: that is no switch; drop it.`);
    if (before && before.to !== s.from) throw new Error(`Switch ${k + 1} starts from persona ${s.from}, but switch ${k} handed over to persona ${before.to}: switches must chain.`);
    if (!Number.isInteger(s.at) || s.at < 0 || s.at >= points || (before && s.at <= before.at)) {
      throw new Error(`Switch ${k + 1} at click ${s.at} is out of order or range: switches need whole, strictly increasing clicks within the ${points} recorded points.`);
    }
    const end = following ? following.at : points - 1;
    const slice = (p: number) => rateOf(p).slice(s.at, end + 1);
    return { ...s, clicks: end - s.at, followedAfter: clicksToFollow(slice(s.to), slice(s.from)), closed: following !== undefined };
  });
}

/** How much two category mixtures share (0 = nothing, 1 = the same mixture). */
function sharedWeight(a: readonly CategoryWeight[], b: readonly CategoryWeight[]): number {
  let shared = 0;
  for (const c of a) shared += Math.min(c.weight, b.find((d) => d.name === c.name)?.weight ?? 0);
  return shared;
}

/**
 * The persona to drift to from `from`: the one whose categories share least
 * with it, then whose liked items overlap least, then with most liked items,
 * so the switch is visible and the new curve has room to rise.
 */
export function mostDifferentPersona(personas: readonly DriftCandidate[], from: number): number {
  const start = personas[from];
  if (!start) throw new Error(`No persona ${from}: there are ${personas.length}; pick an index below that.`);
  let best = -1;
  let bestKey: number[] = [];
  personas.forEach((p, i) => {
    if (i === from) return;
    let overlap = 0;
    for (const id of p.liked) if (start.liked.has(id)) overlap++;
    const key = [sharedWeight(start.categories, p.categories), overlap / Math.max(1, p.liked.size), -p.liked.size];
    // Lexicographic: the first key that differs decides; ties keep the earlier persona.
    const j = key.findIndex((v, at) => v !== bestKey[at]);
    if (best < 0 || (j >= 0 && key[j]! < bestKey[j]!)) [best, bestKey] = [i, key];
  });
  if (best < 0) throw new Error('Only one persona in this world: a switch needs at least two.');
  return best;
}

/** What mostDifferentPersona needs of a persona: its category mixture and its liked item ids. */
export interface DriftCandidate {
  readonly categories: readonly CategoryWeight[];
  readonly liked: ReadonlySet<string>;
}
