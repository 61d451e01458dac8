/**
 * Personas: the synthetic world's hidden user tastes, as plain JSON plus the
 * two functions a simulated visitor needs. Pure, so the demo page can rebuild
 * them from JSON sent to the browser.
 */
import type { ItemContent } from './dataset';

/** Added to affinity for each of the persona's tags an item carries. */
export const TAG_WEIGHT = 0.35;

export interface CategoryWeight {
  /** Category name; items carry it as their first tag. */
  readonly name: string;
  readonly weight: number;
}

export interface Taste {
  /** A mixture over 1–3 categories; weights sum to 1. */
  readonly categories: readonly CategoryWeight[];
  readonly tags: readonly string[];
}

/** Everything a persona is, as serialisable data (what `JSON.stringify(persona)` yields). */
export interface PersonaJson {
  readonly id: string;
  readonly name: string;
  /** Taste at the start of the persona's history. */
  readonly taste: Taste;
  /** Category mixture the taste drifts to by the end of the history (progress 1). */
  readonly drift: readonly CategoryWeight[];
  /** Items with affinity >= this are liked (chosen so a few % of the catalog is). */
  readonly likeThreshold: number;
}

export interface Persona extends PersonaJson {
  /** Affinity of an item (0 = unrelated, ~1–2 = core taste); progress in [0, 1] moves along the drift. */
  affinity(itemId: string, progress?: number): number;
  /** Whether the persona likes the item at the start of its history (affinity >= likeThreshold). */
  likes(itemId: string): boolean;
}

/** Category weights at a point of the drift (0 = start taste, 1 = fully drifted). */
export function categoriesAt(json: PersonaJson, progress: number): CategoryWeight[] {
  const p = Math.min(1, Math.max(0, progress));
  const weights = new Map<string, number>();
  for (const c of json.taste.categories) weights.set(c.name, (1 - p) * c.weight);
  for (const c of json.drift) weights.set(c.name, (weights.get(c.name) ?? 0) + p * c.weight);
  return [...weights].map(([name, weight]) => ({ name, weight }));
}

/** Affinity of an item with these tags under a category mixture and tag preferences. */
export function tasteAffinity(
  categories: readonly CategoryWeight[],
  tasteTags: readonly string[],
  itemTags: readonly string[],
): number {
  let a = 0;
  for (const c of categories) if (itemTags.includes(c.name)) a += c.weight;
  for (const t of tasteTags) if (itemTags.includes(t)) a += TAG_WEIGHT;
  return a;
}

/** Rebuilds personas from JSON against the catalog they were generated with (items' tags). */
export function personasFromJson(jsons: readonly PersonaJson[], items: readonly ItemContent[]): Persona[] {
  const tagsById = new Map<string, readonly string[]>();
  for (const item of items) tagsById.set(item.id, item.tags);
  return jsons.map((json) => makePersona(json, tagsById));
}

/** Rebuilds one persona from JSON; see `personasFromJson` for many. */
export function personaFromJson(json: PersonaJson, items: readonly ItemContent[]): Persona {
  return personasFromJson([json], items)[0]!;
}

/** Builds a persona over a prepared id → tags index (shared by all personas of a world). */
export function makePersona(json: PersonaJson, tagsById: ReadonlyMap<string, readonly string[]>): Persona {
  const tagsOf = (itemId: string): readonly string[] => {
    const tags = tagsById.get(itemId);
    if (tags === undefined) {
      throw new Error(
        `Unknown item id "${itemId}": not in this persona's catalog (${tagsById.size.toLocaleString('en-US')} items); ` +
          'pass the same items the world was generated with',
      );
    }
    return tags;
  };
  const start = json.taste.categories;
  const affinity = (itemId: string, progress = 0): number =>
    tasteAffinity(progress === 0 ? start : categoriesAt(json, progress), json.taste.tags, tagsOf(itemId));
  return {
    id: json.id,
    name: json.name,
    taste: json.taste,
    drift: json.drift,
    likeThreshold: json.likeThreshold,
    affinity,
    likes: (itemId) => affinity(itemId) >= json.likeThreshold,
  };
}
