/** The synthetic world's catalog: categories with tag pools, invented titles, Zipf popularity. */
import type { Rng } from '../math/rng';
import type { ItemContent } from './dataset';
import { categoryName, GLOBAL_TAGS, makeTitle, TAG_WORDS } from './synthetic-words';

export interface SyntheticCategory {
  readonly name: string;
  /** The attribute tags items of this category draw from. */
  readonly tags: readonly string[];
}

export interface Catalog {
  readonly items: ItemContent[];
  readonly categories: SyntheticCategory[];
  /** Category index of each item. */
  readonly categoryOf: Int32Array;
  /** Attribute and global tags of each item as indexes into `tagVocabulary` (category excluded). */
  readonly tagIdsOf: Int32Array[];
  readonly tagVocabulary: readonly string[];
  /** Each item's share of attention; sums to 1, long-tailed. */
  readonly popularity: Float64Array;
}

export interface CatalogOptions {
  readonly items: number;
  readonly categories: number;
  readonly tagsPerCategory: number;
  /** Zipf exponent s: the item of popularity rank r gets weight 1 / r^s. */
  readonly zipf: number;
  /** Chance an item also carries one global tag such as "bestseller". */
  readonly globalTagRate: number;
}

/** Builds a catalog of `options.items` items spread over `options.categories` categories. */
export function buildCatalog(rng: Rng, options: CatalogOptions): Catalog {
  const { items: n, categories: c, tagsPerCategory } = options;
  if (tagsPerCategory < 1 || tagsPerCategory > TAG_WORDS.length) {
    throw new RangeError(`tagsPerCategory must be 1..${TAG_WORDS.length} (the tag word list), got ${tagsPerCategory}`);
  }
  const tagVocabulary = [...TAG_WORDS, ...GLOBAL_TAGS];
  const categories = Array.from({ length: c }, (_, i) => {
    const pool = rng.sample(TAG_WORDS.length, tagsPerCategory);
    return { name: categoryName(i).name, nouns: categoryName(i).nouns, pool };
  });
  // Uneven category sizes, but every category gets at least one item.
  const categoryShare = categories.map(() => 0.5 + rng.next());

  const items: ItemContent[] = [];
  const categoryOf = new Int32Array(n);
  const tagIdsOf: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const k = i < c ? i : rng.choiceWeighted(categoryShare);
    const cat = categories[k]!;
    const own = rng.sample(cat.pool.length, 1 + rng.int(Math.min(3, cat.pool.length)));
    const ids = own.map((j) => cat.pool[j]!);
    if (rng.next() < options.globalTagRate) ids.push(TAG_WORDS.length + rng.int(GLOBAL_TAGS.length));
    categoryOf[i] = k;
    tagIdsOf.push(Int32Array.from(ids));
    items.push({
      id: `i${i + 1}`,
      title: makeTitle(rng, cat.nouns),
      tags: [cat.name, ...ids.map((t) => tagVocabulary[t]!)],
    });
  }

  const rank = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const popularity = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    popularity[i] = 1 / Math.pow(rank[i]! + 1, options.zipf);
    total += popularity[i]!;
  }
  for (let i = 0; i < n; i++) popularity[i]! /= total;

  return {
    items,
    categories: categories.map((cat) => ({ name: cat.name, tags: cat.pool.map((t) => tagVocabulary[t]!) })),
    categoryOf,
    tagIdsOf,
    tagVocabulary,
    popularity,
  };
}
