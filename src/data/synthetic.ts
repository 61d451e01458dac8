/**
 * The synthetic world: a seeded catalog plus users whose hidden, drifting
 * tastes generate click logs. It gives meta-learning something learnable
 * (a user's first clicks predict the later ones) and gives the demo
 * simulated visitors (personas) to click with.
 */
import { createRng } from '../math/rng';
import type { Dataset, Interaction } from './dataset';
import { makePersona, type Persona, type PersonaJson } from './persona';
import { buildCatalog, type SyntheticCategory } from './synthetic-catalog';
import { categoryWeights, createClickModel, simulateClicks, tagAffinity } from './synthetic-clicks';
import { drawTaste, likeThreshold } from './synthetic-taste';
import { makePersonName } from './synthetic-words';

export interface WorldOptions {
  readonly seed: number | string;
  /** Catalog size (items). */
  readonly items?: number;
  readonly users?: number;
  readonly categories?: number;
  /** Size of each category's tag pool. */
  readonly tagsPerCategory?: number;
  /** Zipf exponent of catalog popularity. */
  readonly zipf?: number;
  /** Positives per user, inclusive range (clicks); defaults shrink to fit small catalogs (max = items / 2). */
  readonly minClicks?: number;
  readonly maxClicks?: number;
  /** Click weight is popularity^alpha · exp(beta · affinity). */
  readonly alpha?: number;
  readonly beta?: number;
  /** How far tastes drift over a user's history: 0 = not at all, 1 = to a fresh mixture. */
  readonly drift?: number;
  /** Fraction of clicks that also carry an explicit 1–5 rating. */
  readonly ratingFraction?: number;
  /** Timestamp (seconds) users' histories start after. */
  readonly startTime?: number;
}

export const DEFAULT_WORLD_OPTIONS = {
  items: 2000,
  users: 1500,
  categories: 12,
  tagsPerCategory: 6,
  zipf: 1,
  minClicks: 20,
  maxClicks: 150,
  alpha: 1.2,
  beta: 6,
  drift: 0.6,
  ratingFraction: 0,
  startTime: 1_704_067_200, // 2024-01-01T00:00:00Z
} as const;

export interface World {
  readonly dataset: Dataset;
  /** One persona per user, same ids; `JSON.stringify` them for the browser. */
  readonly personas: Persona[];
  readonly categories: SyntheticCategory[];
  /** Popularity share of each item, aligned with `dataset.items`. */
  readonly popularity: number[];
  readonly options: Required<WorldOptions>;
}

function checkOptions(o: Required<WorldOptions>): void {
  const positiveInts = ['items', 'users', 'categories', 'tagsPerCategory', 'minClicks', 'maxClicks'] as const;
  for (const key of positiveInts) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new RangeError(`generateWorld: ${key} must be a positive integer, got ${o[key]}`);
  }
  if (o.categories > o.items) throw new RangeError(`generateWorld: categories (${o.categories}) must not exceed items (${o.items})`);
  if (o.minClicks > o.maxClicks) throw new RangeError(`generateWorld: minClicks (${o.minClicks}) exceeds maxClicks (${o.maxClicks})`);
  if (o.maxClicks > o.items / 2) throw new RangeError(`generateWorld: maxClicks (${o.maxClicks}) must be at most half the items (${o.items}); add items or lower it`);
  if (!(o.drift >= 0 && o.drift <= 1)) throw new RangeError(`generateWorld: drift must be in [0, 1], got ${o.drift}`);
  if (!(o.ratingFraction >= 0 && o.ratingFraction <= 1)) throw new RangeError(`generateWorld: ratingFraction must be in [0, 1], got ${o.ratingFraction}`);
}

/** Generates a deterministic world from `options.seed` (same seed → identical dataset). */
export function generateWorld(options: WorldOptions): World {
  // Small test worlds shrink the default click range instead of failing on it.
  const items = options.items ?? DEFAULT_WORLD_OPTIONS.items;
  const maxClicks = options.maxClicks ?? Math.min(DEFAULT_WORLD_OPTIONS.maxClicks, Math.floor(items / 2));
  const minClicks = options.minClicks ?? Math.min(DEFAULT_WORLD_OPTIONS.minClicks, maxClicks);
  const o: Required<WorldOptions> = { ...DEFAULT_WORLD_OPTIONS, ...options, maxClicks, minClicks };
  checkOptions(o);
  const root = createRng(o.seed);
  const catalog = buildCatalog(root.fork('catalog'), { ...o, globalTagRate: 0.25 });
  const rng = root.fork('users');
  const model = createClickModel(catalog, o.alpha, o.beta, o.ratingFraction);

  const interactions: Interaction[] = [];
  const personaJson: PersonaJson[] = [];
  for (let u = 0; u < o.users; u++) {
    const id = `u${u + 1}`;
    const { taste, drift } = drawTaste(rng, catalog, o.drift);
    const tagAff = tagAffinity(catalog, taste.tags);
    const start = categoryWeights(catalog, { taste, drift }, 0);
    const startAffinity = new Float64Array(tagAff.length);
    for (let i = 0; i < tagAff.length; i++) startAffinity[i] = tagAff[i]! + start[catalog.categoryOf[i]!]!;
    personaJson.push({ id, name: makePersonName(rng), taste, drift, likeThreshold: likeThreshold(startAffinity) });
    // Skewed towards short histories, as in real logs.
    const clicks = o.minClicks + Math.floor((o.maxClicks - o.minClicks + 1) * Math.pow(rng.next(), 2.5));
    const startTime = o.startTime + rng.int(90 * 86_400);
    for (const row of simulateClicks(rng, model, { id, taste, drift }, tagAff, clicks, startTime)) interactions.push(row);
  }

  const tagsById = new Map(catalog.items.map((item) => [item.id, item.tags]));
  return {
    dataset: {
      name: 'synthetic',
      interactions,
      items: catalog.items,
      hasRatings: o.ratingFraction > 0,
      hasTimestamps: true,
    },
    personas: personaJson.map((json) => makePersona(json, tagsById)),
    categories: catalog.categories,
    popularity: Array.from(catalog.popularity),
    options: o,
  };
}
