// The small training set the TypeScript ↔ PyTorch equivalence tests share.
import { contentFeatures, featureVocabulary, logPopularity } from '../../../src/core/features';
import type { ModelShape } from '../../../src/core/params';
import { createRng } from '../../../src/math/rng';

/** 40 users over 30 items with tags, protocol-ordered lists, and six tasks cut from them. */
export function trainingFixture() {
  const rng = createRng('torch-equivalence');
  const items = 30;
  const tags = Array.from({ length: items }, (_, i) => ['red', 'green', 'blue', 'big', 'small'].filter(() => rng.next() < 0.4).concat(i % 7 === 0 ? ['rare'] : []));
  const train = Array.from({ length: 40 }, () => Int32Array.from(new Set(Array.from({ length: 3 + rng.int(9) }, () => rng.int(items - 3)))));
  const names = featureVocabulary(tags);
  const features = contentFeatures(tags, names);
  const counts = new Float32Array(items);
  for (const u of train) for (const i of u) counts[i]! += 1;
  const warm = counts.map((c) => (c > 0 ? 1 : 0));
  const shape: ModelShape = { items, features: names.length, dim: 6 };
  const picks = [0, 3, 5, 11, 17, 29];
  const supports = picks.map((u, b) => train[u]!.subarray(0, Math.min([1, 2, 3, 5, 1, 2][b]!, train[u]!.length - 1)));
  const queries = picks.map((u, b) => train[u]!.subarray(supports[b]!.length));
  return { items, tags, train, names, features, warm, counts, logPop: logPopularity(counts), shape, picks, supports, queries };
}
