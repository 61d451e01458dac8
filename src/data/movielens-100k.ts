/** Pure parsers for MovieLens 100K (`u.data`, `u.item`, `u.genre`). */
import type { Dataset, Interaction, ItemContent } from './dataset';
import {
  fieldCountError,
  forEachLine,
  idField,
  parseIntField,
  parseRatingRows,
  quote,
  rowError,
} from './text';

/** The 19 genres of `u.item`'s flag columns, in order, for when `u.genre` is absent. */
export const ML100K_GENRES = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime',
  'Documentary', 'Drama', 'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery',
  'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
] as const;

/** Parses `u.data`: tab-separated `user item rating timestamp` (seconds). */
export function parseMl100kRatings(text: string, file = 'u.data'): Interaction[] {
  return parseRatingRows(text, file, '\t', 'user\\titem\\trating\\ttimestamp');
}

/** Parses `u.genre`: `name|index` lines; indexes must be 0..n-1 in any order. */
export function parseMl100kGenres(text: string, file = 'u.genre'): string[] {
  const names: string[] = [];
  forEachLine(text, (line, lineNo) => {
    const f = line.split('|');
    if (f.length !== 2) throw fieldCountError(file, lineNo, 'name|index', 2, line, f.length);
    const index = parseIntField(f[1]!, file, lineNo, 'genre index');
    if (index < 0 || index > 63 || names[index] !== undefined) {
      throw rowError(file, lineNo, 'a new genre index in 0..63', quote(f[1]!));
    }
    names[index] = idField(f[0]!, file, lineNo, 'genre name');
  });
  for (let i = 0; i < names.length; i++) {
    if (names[i] === undefined) throw new Error(`${file}: genre index ${i} is missing (indexes must run 0..${names.length - 1})`);
  }
  return names;
}

/** Parses `u.item` (already decoded from latin-1): id|title|date|video date|url|genre flags. */
export function parseMl100kItems(
  text: string,
  genres: readonly string[] = ML100K_GENRES,
  file = 'u.item',
): ItemContent[] {
  const wanted = 5 + genres.length;
  const layout = `id|title|release date|video release|url|${genres.length} genre flags`;
  const out: ItemContent[] = [];
  forEachLine(text, (line, lineNo) => {
    const f = line.split('|');
    if (f.length !== wanted) throw fieldCountError(file, lineNo, layout, wanted, line, f.length);
    const tags: string[] = [];
    for (let g = 0; g < genres.length; g++) {
      const flag = f[5 + g]!;
      if (flag === '1') tags.push(genres[g]!);
      else if (flag !== '0') {
        throw rowError(file, lineNo, `genre flag 0 or 1 for "${genres[g]}" (field ${6 + g})`, quote(flag));
      }
    }
    out.push({ id: idField(f[0]!, file, lineNo, 'item id'), title: f[1]!, tags });
  });
  return out;
}

/** File contents of a MovieLens 100K folder; `genres` is `u.genre` when present. */
export interface Ml100kFiles {
  readonly ratings: string;
  readonly items: string;
  readonly genres?: string;
}

/** Builds the "movielens-100k" dataset from decoded file contents. */
export function parseMovieLens100k(files: Ml100kFiles): Dataset {
  const genres = files.genres === undefined ? ML100K_GENRES : parseMl100kGenres(files.genres);
  return {
    name: 'movielens-100k',
    interactions: parseMl100kRatings(files.ratings),
    items: parseMl100kItems(files.items, genres),
    hasRatings: true,
    hasTimestamps: true,
  };
}
