import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/data/load';

// The real datasets live beside the project, never inside it (redistribution terms).
const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));
const sharedData = resolve(projectRoot, '../shared/data');

const distinct = (values: readonly string[]) => new Set(values).size;

describe('real datasets in ../shared/data (skipped when absent)', () => {
  it('loads MovieLens 100K: 100,000 ratings, 943 users, 1,682 items', async (ctx) => {
    const dir = resolve(sharedData, 'ml-100k');
    if (!existsSync(dir)) ctx.skip(`${dir} is absent; place MovieLens 100K there to run this test`);
    const ds = await loadDataset('movielens-100k', dir);
    expect(ds.interactions).toHaveLength(100_000);
    expect(distinct(ds.interactions.map((r) => r.user))).toBe(943);
    expect(distinct(ds.interactions.map((r) => r.item))).toBe(1682);
    expect(ds.items).toHaveLength(1682);
    expect(ds.items.every((i) => i.tags.length > 0)).toBe(true);
    expect(ds.items.some((i) => i.title.includes('\u00e9'))).toBe(true); // latin-1 decoded
  });

  it('loads Last.fm hetrec-2011: 92,834 pairs, 1,892 users, 17,632 artists', async (ctx) => {
    const dir = resolve(sharedData, 'lastfm-2k');
    if (!existsSync(dir)) ctx.skip(`${dir} is absent; place the Last.fm hetrec-2011 files there to run this test`);
    const ds = await loadDataset('lastfm', dir);
    expect(ds.interactions).toHaveLength(92_834);
    expect(distinct(ds.interactions.map((r) => r.user))).toBe(1892);
    expect(distinct(ds.interactions.map((r) => r.item))).toBe(17_632);
    expect(ds.items).toHaveLength(17_632);
  });
});
