// Synthetic interaction logs at a site's scale (the scale benchmark's data):
// a catalog (a shop's departments, categories and brands, or a book catalog's
// authors, publishers and decades), Zipf popularity, users with a few tastes,
// and sessions in order: an item, then more of its series (brand, author) or
// its group, or a jump to another taste. Rows stream out one at a time, so a
// log of 10M rows never sits in memory.
import type { Rng } from '../math/rng';
import { createWeightedSampler } from '../math/rng';
import { categoryName, makeBrand, makePersonName, makeTitle } from './synthetic-words';

/** One catalog item: its content, its taste group and its series (what a session continues with). */
export interface LogItem {
  readonly id: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly group: number;
  readonly series: number;
}

/** A catalog for logRows; items are in popularity order's random permutation (item 0 is not the most popular). */
export interface LogCatalog {
  readonly items: readonly LogItem[];
  readonly groups: number;
  /** Zipf weight of each item. */
  readonly popularity: Float64Array;
}

/** Zipf exponent of item popularity (rank^-s). */
const ZIPF = 1.0;

/** Zipf weights over a random permutation of n ranks. */
function zipfWeights(n: number, rng: Rng, s = ZIPF): Float64Array {
  const rank = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  return Float64Array.from(rank, (r) => 1 / (r + 1) ** s);
}

/** A shop: 20 departments × 12 categories (the taste groups), brands within departments (the series), price bands. */
export function shopCatalog(count: number, rng: Rng): LogCatalog {
  const departments = 20;
  const groups = departments * 12;
  const brands = Math.max(departments, Math.round(count / 30));
  const brandDepartment = Int32Array.from({ length: brands }, () => rng.int(departments));
  const brandNames = Array.from({ length: brands }, (_, b) => `${makeBrand(rng)} ${b}`);
  const pickBrand = createWeightedSampler(zipfWeights(brands, rng, 0.8));
  const pickGroup = createWeightedSampler(zipfWeights(groups, rng, 0.7));
  const items: LogItem[] = [];
  for (let i = 0; i < count; i++) {
    const series = pickBrand(rng);
    // A brand's items stay in its department; the category within it follows the groups' popularity.
    let group = pickGroup(rng);
    group = brandDepartment[series]! * 12 + (group % 12);
    const { name, nouns } = categoryName(group);
    items.push({
      id: `i${i}`,
      title: makeTitle(rng, nouns),
      tags: [`dept:${brandDepartment[series]}`, `cat:${name}`, `brand:${brandNames[series]}`, `price:${1 + rng.int(5)}`],
      group,
      series,
    });
  }
  return { items, groups, popularity: zipfWeights(count, rng) };
}

/**
 * A book catalog: authors with a power-law number of books (most write one),
 * each with a genre (the taste group, not a tag), a main publisher and an
 * active decade. Tags: author, publisher, decade; every tag is on some book.
 */
export function bookCatalog(count: number, rng: Rng): LogCatalog {
  const groups = 60;
  const publishers = Math.max(10, Math.round(count / 34));
  const pickPublisher = createWeightedSampler(zipfWeights(publishers, rng, 1.1));
  const books: LogItem[] = [];
  for (let author = 0; books.length < count; author++) {
    // P(at least k books) = k^-1.5 (capped at 80): 65% of authors write one book, 81% at most two.
    const k = Math.min(80, Math.floor((1 - rng.next()) ** (-1 / 1.5)));
    const genre = rng.int(groups);
    const home = pickPublisher(rng);
    const decade = 1900 + 10 * Math.min(11, Math.floor(11.99 * Math.sqrt(rng.next())));
    const name = makePersonName(rng);
    for (let b = 0; b < k && books.length < count; b++) {
      const publisher = rng.next() < 0.7 ? home : pickPublisher(rng);
      const year = Math.min(2020, decade + 10 * (rng.next() < 0.2 ? 1 : 0));
      books.push({
        id: `b${books.length}`,
        title: `${name}: ${makeTitle(rng, ['Novel', 'Stories', 'Memoir', 'Chronicle', 'Essays', 'Letters'])}`,
        tags: [`author:${author}`, `publisher:${publisher}`, `decade:${year}s`],
        group: genre,
        series: author,
      });
    }
  }
  return { items: books, groups, popularity: zipfWeights(count, rng) };
}

export interface LogOptions {
  /** Rows to write. */
  readonly interactions: number;
  /** Mean rows per user (heavy-tailed: log-normal, σ 1.2). */
  readonly perUser: number;
  /** First timestamp, s. */
  readonly start?: number;
}

/** Rows `[user, item, timestamp]` of users one after the other, each user's in time order. */
export function* logRows(catalog: LogCatalog, options: LogOptions, rng: Rng): Generator<[string, string, number]> {
  const { items, groups, popularity } = catalog;
  const members = (key: (it: LogItem) => number, n: number): Int32Array[] => {
    const lists: number[][] = Array.from({ length: n }, () => []);
    items.forEach((it, i) => lists[key(it)]!.push(i));
    return lists.map((l) => Int32Array.from(l));
  };
  const byGroup = members((it) => it.group, groups);
  const seriesCount = items.reduce((m, it) => Math.max(m, it.series + 1), 0);
  const bySeries = members((it) => it.series, seriesCount);
  const samplers = (lists: Int32Array[]) => lists.map((l) => (l.length ? createWeightedSampler(Array.from(l, (i) => popularity[i]!)) : null));
  const inGroup = samplers(byGroup);
  const inSeries = samplers(bySeries);
  const groupSize = Float64Array.from(byGroup, (l) => l.reduce((a, i) => a + popularity[i]!, 0));
  const pickGroup = createWeightedSampler(groupSize);
  const sigma = 1.2;
  const mu = Math.log(options.perUser) - (sigma * sigma) / 2;
  let written = 0;
  for (let u = 0; written < options.interactions; u++) {
    const rows = Math.min(options.interactions - written, Math.max(1, Math.round(Math.exp(mu + sigma * rng.normal()))));
    // A user's tastes: one to three groups with random weights; a tenth of sessions explore.
    const tastes = Array.from({ length: 1 + rng.int(3) }, () => pickGroup(rng));
    const weights = tastes.map(() => rng.next() + 0.2);
    const taste = createWeightedSampler(weights);
    let time = (options.start ?? 1_600_000_000) + rng.int(30 * 86_400);
    let item = -1;
    for (let r = 0; r < rows; r++) {
      const newSession = item < 0 || rng.next() < 0.25;
      if (newSession) time += Math.round(-Math.log(1 - rng.next()) * 3 * 86_400);
      else time += 30 + rng.int(600);
      const roll = rng.next();
      if (!newSession && roll < 0.35 && bySeries[items[item]!.series]!.length > 1) {
        const s = items[item]!.series;
        item = bySeries[s]![inSeries[s]!(rng)]!;
      } else if (!newSession && roll < 0.8) {
        const g = items[item]!.group;
        item = byGroup[g]![inGroup[g]!(rng)]!;
      } else {
        const g = rng.next() < 0.1 ? pickGroup(rng) : tastes[taste(rng)]!;
        item = byGroup[g]![inGroup[g]!(rng)]!;
      }
      yield [`u${u}`, items[item]!.id, time];
    }
    written += rows;
  }
}
