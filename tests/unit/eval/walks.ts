// A small sequential dataset the eval tests tune on: 120 users over 60 items,
// walks over neighbouring ids with skewed jumps (enough for every method to tune).
import type { Dataset, Interaction } from '../../../src/data/dataset';
import { createRng } from '../../../src/math/rng';

/** The walks drawn from `seed`; one test's world differs from another's by the seed alone. */
export function walksWorld(seed: number): Dataset {
  const rand = createRng(seed).next;
  const interactions: Interaction[] = [];
  for (let u = 0; u < 120; u++) {
    const n = 25 + Math.floor(rand() * 40);
    let item = Math.floor(rand() * 60);
    for (let j = 0; j < n; j++) {
      item = rand() < 0.5 ? (item + 1 + Math.floor(rand() * 3)) % 60 : Math.floor(rand() ** 2 * 60);
      interactions.push({ user: `u${u}`, item: `i${item}`, rating: 5, timestamp: j });
    }
  }
  return { name: 'walks', interactions, items: [], hasRatings: true, hasTimestamps: true };
}
