import { describe, expect, it } from 'vitest';
import { DATASET_FILES, DATASET_FORMATS, isDatasetFormat, loadDataset, type DatasetFormat } from '../../../src/data/load';
import { writeFixture } from './fixtures';

describe('loadDataset', () => {
  it('lists its formats and the files each needs', () => {
    expect(DATASET_FORMATS).toEqual(['movielens-100k', 'movielens-1m', 'lastfm', 'csv', 'synthetic']);
    expect(DATASET_FILES.lastfm.required).toEqual(['user_artists.dat']);
    expect(isDatasetFormat('csv')).toBe(true);
    expect(isDatasetFormat('netflix')).toBe(false);
  });

  it('rejects an unknown format with the list of known ones', async () => {
    await expect(loadDataset('netflix' as DatasetFormat, '.')).rejects.toThrow(
      'Unknown dataset format "netflix": use one of movielens-100k, movielens-1m, lastfm, csv, synthetic',
    );
  });

  it('names the missing path for each on-disk format', async () => {
    const dir = writeFixture({});
    await expect(loadDataset('movielens-1m', dir)).rejects.toThrow(
      `Missing ${dir}/ratings.dat: the movielens-1m format needs ratings.dat and movies.dat in ${dir} (optional: users.dat)`,
    );
    await expect(loadDataset('lastfm', dir)).rejects.toThrow(`Missing ${dir}/user_artists.dat`);
    await expect(loadDataset('csv', dir)).rejects.toThrow(`Missing ${dir}/interactions.csv`);
  });

  it('generates the synthetic world, ignoring dir', async () => {
    const ds = await loadDataset('synthetic', '/nonexistent', { world: { seed: 3, items: 200, users: 20 } });
    expect(ds.name).toBe('synthetic');
    expect(ds.items).toHaveLength(200);
    expect(new Set(ds.interactions.map((r) => r.user)).size).toBe(20);
  });
});
