/** Simulates one synthetic user's click history from their drifting taste. */
import { createWeightedSampler, type Rng } from '../math/rng';
import type { Interaction } from './dataset';
import { TAG_WEIGHT, type PersonaJson } from './persona';
import type { Catalog } from './synthetic-catalog';

/** Clicks drawn between rebuilds of the drifting click distribution. */
const SEGMENT = 8;

export interface ClickModel {
  readonly catalog: Catalog;
  /** Click weight is popularity^alpha · exp(beta · affinity). */
  readonly alpha: number;
  readonly beta: number;
  /** Fraction of clicks that carry an explicit 1–5 rating. */
  readonly ratingFraction: number;
  /** alpha · log(popularity) per item, computed once per world. */
  readonly logPopularity: Float64Array;
}

/** Prepares the per-world part of the click model. */
export function createClickModel(catalog: Catalog, alpha: number, beta: number, ratingFraction: number): ClickModel {
  const logPopularity = new Float64Array(catalog.items.length);
  for (let i = 0; i < logPopularity.length; i++) logPopularity[i] = alpha * Math.log(catalog.popularity[i]!);
  return { catalog, alpha, beta, ratingFraction, logPopularity };
}

/** Per-item affinity from the user's liked tags (TAG_WEIGHT per match). */
export function tagAffinity(catalog: Catalog, tags: readonly string[]): Float64Array {
  const liked = new Uint8Array(catalog.tagVocabulary.length);
  for (const t of tags) liked[catalog.tagVocabulary.indexOf(t)] = 1;
  const out = new Float64Array(catalog.items.length);
  for (let i = 0; i < out.length; i++) {
    const ids = catalog.tagIdsOf[i]!;
    let m = 0;
    for (let j = 0; j < ids.length; j++) m += liked[ids[j]!]!;
    out[i] = TAG_WEIGHT * m;
  }
  return out;
}

/** Category weights (by category index) at a point of the drift, 0 = start, 1 = end. */
export function categoryWeights(catalog: Catalog, persona: Pick<PersonaJson, 'taste' | 'drift'>, p: number): Float64Array {
  const w = new Float64Array(catalog.categories.length);
  const index = (name: string) => catalog.categories.findIndex((c) => c.name === name);
  for (const c of persona.taste.categories) w[index(c.name)] += (1 - p) * c.weight;
  for (const c of persona.drift) w[index(c.name)] += p * c.weight;
  return w;
}

/**
 * `clicks` distinct items with increasing timestamps (seconds, from `startTime`).
 * Every SEGMENT clicks the distribution is rebuilt at the user's current drift.
 */
export function simulateClicks(
  rng: Rng,
  model: ClickModel,
  user: Pick<PersonaJson, 'id' | 'taste' | 'drift'>,
  tagAff: Float64Array,
  clicks: number,
  startTime: number,
): Interaction[] {
  const { catalog, beta } = model;
  const n = catalog.items.length;
  // exp(a + b) = exp(a)·exp(b): the per-item part is fixed per user, only category factors drift.
  const itemFactor = new Float64Array(n);
  for (let i = 0; i < n; i++) itemFactor[i] = Math.exp(model.logPopularity[i]! + beta * tagAff[i]!);
  const clicked = new Uint8Array(n);
  const weights = new Float64Array(n);
  const rows: Interaction[] = [];
  let time = startTime;
  for (let t = 0; t < clicks; t += SEGMENT) {
    const cw = categoryWeights(catalog, user, clicks > 1 ? t / (clicks - 1) : 0);
    const catFactor = cw.map((w) => Math.exp(beta * w));
    for (let i = 0; i < n; i++) weights[i] = clicked[i] ? 0 : itemFactor[i]! * catFactor[catalog.categoryOf[i]!]!;
    const draw = createWeightedSampler(weights);
    for (let s = t; s < Math.min(clicks, t + SEGMENT); s++) {
      let i = draw(rng);
      while (clicked[i]) i = draw(rng); // only items clicked earlier in this segment
      clicked[i] = 1;
      time += 1 + Math.floor(-Math.log(1 - rng.next()) * 6 * 3600);
      const row: { user: string; item: string; timestamp: number; rating?: number } = {
        user: user.id,
        item: catalog.items[i]!.id,
        timestamp: time,
      };
      if (model.ratingFraction > 0 && rng.next() < model.ratingFraction) {
        const a = tagAff[i]! + cw[catalog.categoryOf[i]!]!;
        row.rating = Math.min(5, Math.max(1, Math.round(1.5 + 2.5 * a + 0.6 * rng.normal())));
      }
      rows.push(row);
    }
  }
  return rows;
}
