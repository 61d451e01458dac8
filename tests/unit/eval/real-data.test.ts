import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/data/load';
import { evaluateAtK } from '../../../src/eval/evaluate';
import { userBucket } from '../../../src/protocol/fnv';
import { itemknnScorer } from '../../../src/eval/methods/itemknn';
import { buildFold, prepareData } from '../../../src/protocol/data';

const ML = resolve(__dirname, '../../../../shared/data/ml-100k');
const present = existsSync(`${ML}/u.data`);
if (!present) console.warn(`Skipping MovieLens 100K protocol checks: ${ML}/u.data is absent (the shared data folder is not on this machine).`);

describe.skipIf(!present)('protocol v1 on MovieLens 100K (skipped without ../shared/data/ml-100k)', () => {
  it('builds the catalog, positives and folds, and runs ItemKNN on fold 3', async () => {
    const data = prepareData(await loadDataset('movielens-100k', ML), 4);
    expect(data.catalog).toHaveLength(1682);
    expect(userBucket('196')).toBe(7);
    const fold = buildFold(data, 3, 25);
    expect(fold.test.some((u) => u.user === '196')).toBe(false); // user 196 has fewer than 25 ratings >= 4
    const folds = [0, 1, 2, 3, 4].map((f) => buildFold(data, f, 25));
    const evaluated = data.users.filter((u) => u.items.length >= 25).length;
    expect(folds.reduce((n, f) => n + f.test.length, 0)).toBe(evaluated);
    const r = await evaluateAtK(itemknnScorer(fold), fold.test, 5);
    expect(r.ndcg10).toHaveLength(fold.test.length);
    expect(r.ndcg10.every((x) => x >= 0 && x <= 1)).toBe(true);
  });
});
