import { describe, expect } from 'vitest';
import { loadDataset } from '../../../src/data/load';
import { itWithData, realData } from '../support/real-data';

const ml100k = realData('ml-100k', 'u.data');
const lastfm = realData('lastfm-2k', 'user_artists.dat');

const distinct = (values: readonly string[]) => new Set(values).size;

describe('real datasets in ../shared/data', () => {
  itWithData(ml100k, 'loads MovieLens 100K: 100,000 ratings, 943 users, 1,682 items', async () => {
    const ds = await loadDataset('movielens-100k', ml100k.dir);
    expect(ds.interactions).toHaveLength(100_000);
    expect(distinct(ds.interactions.map((r) => r.user))).toBe(943);
    expect(distinct(ds.interactions.map((r) => r.item))).toBe(1682);
    expect(ds.items).toHaveLength(1682);
    expect(ds.items.every((i) => i.tags.length > 0)).toBe(true);
    expect(ds.items.some((i) => i.title.includes('\u00e9'))).toBe(true); // latin-1 decoded
  });

  itWithData(lastfm, 'loads Last.fm hetrec-2011: 92,834 pairs, 1,892 users, 17,632 artists', async () => {
    const ds = await loadDataset('lastfm', lastfm.dir);
    expect(ds.interactions).toHaveLength(92_834);
    expect(distinct(ds.interactions.map((r) => r.user))).toBe(1892);
    expect(distinct(ds.interactions.map((r) => r.item))).toBe(17_632);
    expect(ds.items).toHaveLength(17_632);
  });
});
