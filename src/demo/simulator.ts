// The simulated visitor's decisions and its scorecard, as pure functions: which
// item a persona clicks, and the hit rate of its liked items in a top 10.

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

/** The item the persona clicks among the first CONSIDERED shown: its favourite, or with chance EXPLORE a random one. */
export function chooseClick(shown: readonly string[], taste: Taste, random: () => number, explore = EXPLORE): string {
  const considered = shown.slice(0, CONSIDERED);
  if (considered.length === 0) throw new Error('The simulated visitor has nothing to click: the ranking is empty (catalog exhausted?).');
  if (random() < explore) return considered[Math.floor(random() * considered.length)]!;
  let best = considered[0]!;
  for (const id of considered) if (taste.affinity(id) > taste.affinity(best)) best = id;
  return best;
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
