// Random item lists (item-item neighbours or next-item transitions) for the kernel tests:
// the host kernel's unit tests and the WGSL page build their models from the same lists.
import type { Neighbours } from '../../src/core/types';
import { createRng } from '../../src/math/rng';

/** `m` entries per item, every 7th item with 2 only (-1 padded), ids and similarities from `rng`. */
export function randomLists(items: number, m: number, rng: ReturnType<typeof createRng>): Neighbours {
  const ids = new Int32Array(items * m).fill(-1);
  const sims = new Float32Array(items * m);
  for (let i = 0; i < items; i++) {
    const count = i % 7 === 0 ? 2 : m;
    for (let s = 0; s < count; s++) {
      ids[i * m + s] = rng.int(items);
      sims[i * m + s] = rng.next();
    }
  }
  return { m, ids, sims };
}

/** `m - (i mod 3)` entries for item i (-1 padded), from an rng seeded by `label`: the training-side tests' lists. */
export function labelledLists(items: number, m: number, label: string): Neighbours {
  const rng = createRng(label);
  const ids = new Int32Array(items * m).fill(-1);
  const sims = new Float32Array(items * m);
  for (let i = 0; i < items; i++) for (let s = 0; s < m - (i % 3); s++) [ids[i * m + s], sims[i * m + s]] = [rng.int(items), rng.next()];
  return { m, ids, sims };
}
