/** Pure parsers for MovieLens 1M (`ratings.dat`, `movies.dat`, `users.dat`), "::"-separated. */
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

/** A `users.dat` row; validated on load, not used by the model. */
export interface Ml1mUser {
  readonly id: string;
  readonly gender: 'M' | 'F';
  /** Age bucket code (1, 18, 25, 35, 45, 50, 56). */
  readonly age: number;
  /** Occupation code 0..20. */
  readonly occupation: number;
  readonly zip: string;
}

/** Parses `ratings.dat`: `user::item::rating::timestamp` (seconds). */
export function parseMl1mRatings(text: string, file = 'ratings.dat'): Interaction[] {
  return parseRatingRows(text, file, '::', 'user::item::rating::timestamp');
}

/** Parses `movies.dat` (decoded from latin-1): `id::title::Genre1|Genre2`. */
export function parseMl1mMovies(text: string, file = 'movies.dat'): ItemContent[] {
  const out: ItemContent[] = [];
  forEachLine(text, (line, lineNo) => {
    const f = line.split('::');
    if (f.length !== 3) throw fieldCountError(file, lineNo, 'id::title::Genre1|Genre2', 3, line, f.length);
    const tags = f[2]!.split('|').filter((g) => g !== '');
    out.push({ id: idField(f[0]!, file, lineNo, 'movie id'), title: f[1]!, tags });
  });
  return out;
}

/** Parses and validates `users.dat`: `user::gender::age::occupation::zip`. */
export function parseMl1mUsers(text: string, file = 'users.dat'): Ml1mUser[] {
  const out: Ml1mUser[] = [];
  forEachLine(text, (line, lineNo) => {
    const f = line.split('::');
    if (f.length !== 5) {
      throw fieldCountError(file, lineNo, 'user::gender::age::occupation::zip', 5, line, f.length);
    }
    const gender = f[1]!;
    if (gender !== 'M' && gender !== 'F') throw rowError(file, lineNo, 'gender "M" or "F"', quote(gender));
    out.push({
      id: idField(f[0]!, file, lineNo, 'user id'),
      gender,
      age: parseIntField(f[2]!, file, lineNo, 'age code'),
      occupation: parseIntField(f[3]!, file, lineNo, 'occupation code'),
      zip: f[4]!,
    });
  });
  return out;
}

/** File contents of a MovieLens 1M folder; `users` is validated when given. */
export interface Ml1mFiles {
  readonly ratings: string;
  readonly movies: string;
  readonly users?: string;
}

/** Builds the "movielens-1m" dataset from decoded file contents. */
export function parseMovieLens1m(files: Ml1mFiles): Dataset {
  if (files.users !== undefined) parseMl1mUsers(files.users);
  return {
    name: 'movielens-1m',
    interactions: parseMl1mRatings(files.ratings),
    items: parseMl1mMovies(files.movies),
    hasRatings: true,
    hasTimestamps: true,
  };
}
