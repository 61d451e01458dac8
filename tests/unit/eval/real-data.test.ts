import { expect, it } from 'vitest';
import { loadDataset } from '../../../src/data/load';
import { evaluateAtK } from '../../../src/eval/evaluate';
import { userBucket } from '../../../src/protocol/fnv';
import { itemknnScorer } from '../../../src/eval/methods/itemknn';
import { buildFold, prepareData } from '../../../src/protocol/data';
import { describeWithData, realData } from '../support/real-data';
import { runProtocols } from '../../../src/eval/harness';
import { METHODS } from '../../../src/eval/methods/index';

const ml100k = realData('ml-100k', 'u.data');
const ML = ml100k.dir;

describeWithData(ml100k, 'protocol v1 on MovieLens 100K', () => {
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

  it('reproduces protocol v2\'s reference table (popularity, ItemKNN, Markov) to 4 decimals', async () => {
    const data = prepareData(await loadDataset('movielens-100k', ML), 4);
    const methods = ['popularity', 'itemknn', 'markov'].map((m) => METHODS[m]!());
    const { v2 } = await runProtocols(data, methods, { ks: [1], folds: [0, 1, 2, 3, 4], threshold: 4, minPositives: 25 }, ['v2']);
    const reference = {
      popularity: [0.1014, 0.0043, 0.039, 0.0022],
      itemknn: [0.1822, 0.0065, 0.0676, 0.003],
      markov: [0.1493, 0.0063, 0.0562, 0.0029],
    };
    for (const [m, [hr, hrCi, mrr, mrrCi]] of Object.entries(reference)) {
      const r = v2!.methods[m]!;
      expect(r.users).toBe(623);
      expect([r.hr10, r.hr10_ci, r.mrr10, r.mrr10_ci].map((x) => Number(x.toFixed(4)))).toEqual([hr, hrCi, mrr, mrrCi]);
    }
  }, 300_000);
});
