/** Hidden user tastes of the synthetic world: category mixtures, liked tags, drift and like thresholds. */
import type { Rng } from '../math/rng';
import type { CategoryWeight, PersonaJson } from './persona';
import type { Catalog } from './synthetic-catalog';

/** Share of the catalog a persona should like ("a few %"). */
export const LIKED_SHARE = 0.03;

/** A random mixture over the named categories, heaviest first. */
function randomMixture(rng: Rng, names: readonly string[]): CategoryWeight[] {
  // Exponential draws (a flat Dirichlet) plus a floor so no category is negligible.
  const raw = names.map(() => 0.3 - Math.log(1 - rng.next()));
  const sum = raw.reduce((a, b) => a + b, 0);
  return names.map((name, i) => ({ name, weight: raw[i]! / sum })).sort((a, b) => b.weight - a.weight);
}

function blend(from: readonly CategoryWeight[], to: readonly CategoryWeight[], p: number): CategoryWeight[] {
  const w = new Map<string, number>();
  for (const c of from) w.set(c.name, (1 - p) * c.weight);
  for (const c of to) w.set(c.name, (w.get(c.name) ?? 0) + p * c.weight);
  return [...w].filter(([, weight]) => weight > 0).map(([name, weight]) => ({ name, weight }));
}

/** A user's taste: 1–3 categories, 2–4 liked tags from their pools, and the mixture it drifts to. */
export function drawTaste(rng: Rng, catalog: Catalog, drift: number): Pick<PersonaJson, 'taste' | 'drift'> {
  const c = catalog.categories.length;
  const k = Math.min(c, 1 + rng.choiceWeighted([0.45, 0.35, 0.2]));
  const chosen = rng.sample(c, k);
  const start = randomMixture(rng, chosen.map((i) => catalog.categories[i]!.name));
  const pool = [...new Set(chosen.flatMap((i) => catalog.categories[i]!.tags))];
  const tags = rng.sample(pool.length, Math.min(pool.length, 2 + rng.int(3))).map((i) => pool[i]!);
  // Drift re-weights the same categories and, often, picks up a new one.
  const endCats = chosen.slice();
  if (c > k && rng.next() < 0.6) {
    let extra = rng.int(c);
    while (endCats.includes(extra)) extra = (extra + 1) % c;
    endCats.push(extra);
  }
  const end = randomMixture(rng, endCats.map((i) => catalog.categories[i]!.name));
  return { taste: { categories: start, tags }, drift: blend(start, end, drift) };
}

/**
 * The affinity cut-off whose liked set is closest in size to `share` of the
 * catalog. Affinities are discrete (category weight + tag matches), so only
 * values that occur are candidates; at least one item is always liked. The
 * result sits a hair below the chosen value so a persona's affinity, summed
 * in a different order, still clears it.
 */
export function likeThreshold(affinities: ArrayLike<number>, share = LIKED_SHARE): number {
  const sorted = Float64Array.from(affinities).sort().reverse();
  const target = Math.max(1, Math.round(share * sorted.length));
  let best = sorted[0] ?? 0;
  let bestGap = Infinity;
  for (let i = 0; i < sorted.length; ) {
    const value = sorted[i]!;
    let j = i;
    while (j < sorted.length && sorted[j] === value) j++;
    // Items with affinity >= value are sorted[0..j).
    if (value <= 0) break;
    const gap = Math.abs(j - target);
    if (gap < bestGap) {
      bestGap = gap;
      best = value;
    }
    if (j >= target) break;
    i = j;
  }
  return best - 1e-9;
}
