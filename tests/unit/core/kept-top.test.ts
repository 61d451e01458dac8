// A state's kept top answers later rankings and, for a click on an item in it,
// the click's rank before adapting: exactly what counting over the catalog gives.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapt } from '../../../src/core/adapt';
import { KEPT_TOP, keptRank, keptTop } from '../../../src/core/kept-top';
import { hostItems, rankIn } from '../../../src/core/kernel-host';
import { initialState, kernelFor, rank, scoreAll } from '../../../src/core/kernels';
import { quantizedAdaptModel, USER_PARAM_NAMES, type UserParams } from '../../../src/core/int8-model';
import { quantizeRows } from '../../../src/core/int8-rows';
import { initParams } from '../../../src/core/params';
import { disposeState } from '../../../src/core/state';
import { createRng } from '../../../src/math/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('kept top', () => {
  it("ranks a target in the kept selection as rankIn counts: ties to the lower index, NaN last, excluded items skipped", () => {
    const rng = createRng('kept-rank');
    const n = 600;
    // Few distinct values: the selection's last places are ties; NaN and -Infinity rank last.
    const scores = Float32Array.from({ length: n }, () => (rng.int(60) === 0 ? NaN : rng.int(25) / 4));
    scores[9] = -Infinity;
    const table = {};
    for (const exclude of [new Set<number>(), new Set([3, 17, 250, 599]), new Set(Array.from({ length: 200 }, (_, i) => 2 * i))]) {
      const state = {};
      keptTop(state, table, 20, exclude, () => scores);
      let inside = 0;
      for (let target = 0; target < n; target++) {
        const kept = keptRank(state, table, target, exclude);
        if (kept === null) continue;
        inside++;
        expect(kept, `target ${target}`).toBe(rankIn(scores, target, exclude));
      }
      // Every item of the selection (at least KEPT_TOP of them) was checked, and only those.
      expect(inside).toBe(Math.max(KEPT_TOP, 20 + exclude.size));
      expect(keptRank(state, {}, 0, exclude)).toBeNull();
    }
    expect(keptRank({}, table, 0, new Set())).toBeNull();
  });

  it("gives the host kernel's rank of a recommended item, and of any other, as the catalog's scores say", async () => {
    const [n, dim] = [5_000, 8];
    const rng = createRng('kept-rank-kernel');
    const params = initParams({ items: 1, features: 1, dim }, { seed: 2, scale: 0.5, innerLr: 0.5, protoScale: 0.8 });
    const user = Object.fromEntries(USER_PARAM_NAMES.map((name) => [name, params[name].dataSync() as Float32Array])) as UserParams;
    const table = (s: number) => quantizeRows(Float32Array.from({ length: n * dim }, () => rng.normal() * s), n, dim);
    const model = quantizedAdaptModel({ items: { vectors: table(0.5), context: table(0.5), bias: Float32Array.from({ length: n }, () => rng.normal()) }, user });
    tf.dispose(Object.values(params));
    const clicks = Int32Array.of(4, 900);
    const out = await adapt(model, initialState(model, clicks), { clicks, negatives: new Int32Array(0) }, { steps: 2 });
    const scores = await scoreAll(model.items, out.state);
    const top = await rank(model.items, out.state, 20, clicks);
    const kernel = kernelFor('auto', model.items);
    for (const target of [top.indices[0]!, top.indices[7]!, top.indices[19]!, 4, 2_500]) {
      const exclude = Int32Array.of(...clicks, top.indices[3]!);
      const skip = new Set(exclude);
      expect(await kernel.rankOf!(model.items, out.state, target, exclude), `target ${target}`).toBe(rankIn(scores, target, skip));
      // A recommended item is ranked from the kept top (the others are counted over the catalog).
      if (top.indices.includes(target)) expect(keptRank(out.state.user, hostItems(model.items), target, skip), `target ${target}`).not.toBeNull();
    }
    disposeState(out.state);
    model.dispose();
  });
});
