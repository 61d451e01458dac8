/**
 * The data layer's browser-safe API: shared types, pure parsers, the synthetic
 * world and personas. The Node file loader lives in `./load` (node:fs) and is
 * deliberately not re-exported here, so pages and workers can import this.
 */
export type { Dataset, Interaction, ItemContent } from './dataset';
export { parseCsv, type CsvRecord } from './csv';
export { parseCsvDataset, parseCsvInteractions, parseCsvItems, type CsvFiles } from './csv-dataset';
export { parseLastfm, parseLastfmArtists, parseLastfmUserArtists, type LastfmFiles } from './lastfm';
export {
  ML100K_GENRES,
  parseMl100kGenres,
  parseMl100kItems,
  parseMl100kRatings,
  parseMovieLens100k,
  type Ml100kFiles,
} from './movielens-100k';
export {
  parseMl1mMovies,
  parseMl1mRatings,
  parseMl1mUsers,
  parseMovieLens1m,
  type Ml1mFiles,
  type Ml1mUser,
} from './movielens-1m';
export {
  categoriesAt,
  personaFromJson,
  personasFromJson,
  tasteAffinity,
  TAG_WEIGHT,
  type CategoryWeight,
  type Persona,
  type PersonaJson,
  type Taste,
} from './persona';
export { DEFAULT_WORLD_OPTIONS, generateWorld, type World, type WorldOptions } from './synthetic';
export type { SyntheticCategory } from './synthetic-catalog';
export { decodeLatin1, decodeUtf8 } from './text';
