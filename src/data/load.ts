/** Node-only: reads a dataset folder from disk and hands the contents to the pure parsers. */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCsvDataset } from './csv-dataset';
import type { Dataset } from './dataset';
import { parseLastfm } from './lastfm';
import { parseMovieLens100k } from './movielens-100k';
import { parseMovieLens1m } from './movielens-1m';
import { generateWorld, type WorldOptions } from './synthetic';
import { decodeLatin1, decodeUtf8 } from './text';

/** Formats `loadDataset` understands. */
export const DATASET_FORMATS = ['movielens-100k', 'movielens-1m', 'lastfm', 'csv', 'synthetic'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** The files each on-disk format reads: required first, then optional. */
export const DATASET_FILES = {
  'movielens-100k': { required: ['u.data', 'u.item'], optional: ['u.genre'] },
  'movielens-1m': { required: ['ratings.dat', 'movies.dat'], optional: ['users.dat'] },
  lastfm: { required: ['user_artists.dat'], optional: ['artists.dat'] },
  csv: { required: ['interactions.csv'], optional: ['items.csv'] },
  synthetic: { required: [], optional: [] },
} as const satisfies Record<DatasetFormat, { required: readonly string[]; optional: readonly string[] }>;

export interface LoadOptions {
  /** Dataset name for the csv format (default "csv"). */
  readonly name?: string;
  /** World options for the synthetic format (dir is ignored); default seed 7. */
  readonly world?: Partial<WorldOptions>;
}

/** Whether a string names a supported format (for CLI flags). */
export function isDatasetFormat(value: string): value is DatasetFormat {
  return (DATASET_FORMATS as readonly string[]).includes(value);
}

/** Loads a dataset folder (or generates the synthetic world) in Node. */
export async function loadDataset(format: DatasetFormat, dir: string, options: LoadOptions = {}): Promise<Dataset> {
  if (!isDatasetFormat(format)) {
    throw new Error(`Unknown dataset format "${String(format)}": use one of ${DATASET_FORMATS.join(', ')}`);
  }
  if (format === 'synthetic') return generateWorld({ seed: 7, ...options.world }).dataset;

  const root = resolve(dir);
  const { required, optional } = DATASET_FILES[format];
  for (const file of required) {
    const path = join(root, file);
    if (!existsSync(path)) {
      const also = optional.length ? ` (optional: ${optional.join(', ')})` : '';
      throw new Error(`Missing ${path}: the ${format} format needs ${required.join(' and ')} in ${root}${also}`);
    }
  }
  type Decode = (bytes: Uint8Array) => string;
  const must = async (file: string, decode: Decode): Promise<string> => decode(await readFile(join(root, file)));
  const read = async (file: string, decode: Decode): Promise<string | undefined> =>
    existsSync(join(root, file)) ? must(file, decode) : undefined;

  switch (format) {
    case 'movielens-100k': {
      const genres = await read('u.genre', decodeLatin1);
      return parseMovieLens100k({
        ratings: await must('u.data', decodeLatin1),
        items: await must('u.item', decodeLatin1),
        ...(genres === undefined ? {} : { genres }),
      });
    }
    case 'movielens-1m': {
      const users = await read('users.dat', decodeLatin1);
      return parseMovieLens1m({
        ratings: await must('ratings.dat', decodeLatin1),
        movies: await must('movies.dat', decodeLatin1),
        ...(users === undefined ? {} : { users }),
      });
    }
    case 'lastfm': {
      const artists = await read('artists.dat', decodeUtf8);
      return parseLastfm({
        userArtists: await must('user_artists.dat', decodeUtf8),
        ...(artists === undefined ? {} : { artists }),
      });
    }
    case 'csv': {
      const items = await read('items.csv', decodeUtf8);
      return parseCsvDataset(
        { interactions: await must('interactions.csv', decodeUtf8), ...(items === undefined ? {} : { items }) },
        options.name ?? 'csv',
      );
    }
  }
}
