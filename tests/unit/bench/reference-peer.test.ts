import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchCatalog } from '../../../bench/catalogs';
import { peerClicks, peerUnavailable, type PeerCase } from '../../../bench/peer';
import { parseArtifact, type Model } from '../../../src/artifact';
import { adapt } from '../../../src/core/adapt';
import { initialState, rank } from '../../../src/core/kernels';
import { disposeState } from '../../../src/core/state';
import type { ClickKernel } from '../../../src/core/types';
import { createRng } from '../../../src/math/rng';

// The PyTorch peer (bench/reference/) must give the engine's top 20 for the
// same artifact and clicks: it is the speed peer of the benchmark only if it
// does the same work. Runs where Debian's python has torch (CI installs it).
const unavailable = peerUnavailable();
if (unavailable) console.warn(`[reference-peer] skipped: ${unavailable}`);

const TOP = 20;

function load(files: Record<string, Uint8Array>): Promise<Model> {
  return parseArtifact(JSON.parse(new TextDecoder().decode(files['model.json'])), files);
}

function cases(items: number): PeerCase[] {
  const rng = createRng(`peer-cases-${items}`);
  const pick = (k: number) => Array.from({ length: k }, () => rng.int(items));
  return [
    { clicks: [3] },
    { clicks: pick(5) },
    { clicks: [...pick(10), ...pick(10)], negatives: pick(8) }, // impressions: the slate term
    { clicks: [7, 7, 7, 11] }, // repeats count again
    { clicks: pick(50), negatives: pick(30) },
  ];
}

async function engineTop(model: Model, c: PeerCase, kernel: ClickKernel) {
  const clicks = Int32Array.from(c.clicks);
  const start = initialState(model, clicks, kernel);
  const feedback = { clicks, negatives: Int32Array.from(c.negatives ?? []) };
  const out = await adapt(model, start, feedback, { steps: model.meta.adaptation.steps, negativeWeight: model.meta.adaptation.negativeWeight, kernel });
  const top = await rank(model.items, out.state, TOP, clicks, kernel);
  disposeState(start);
  disposeState(out.state);
  return { indices: Array.from(top.indices), scores: Array.from(top.scores), losses: out.steps.map((s) => s.loss) };
}

describe.skipIf(unavailable !== null)(`the PyTorch peer ranks as the engine does (${unavailable ?? 'torch found'})`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const items of [1_999, 5_000]) {
    it(`gives the same top ${TOP} and losses on ${items.toLocaleString('en-US')} items, for both click kernels`, async () => {
      const catalog = await benchCatalog(items);
      const model = await load(catalog.files);
      const all = cases(items);
      const peer = await peerClicks(catalog.dir, all, TOP, 0);
      for (const kernel of ['tfjs', 'host'] as const) {
        for (const [i, c] of all.entries()) {
          const ours = await engineTop(model, c, kernel);
          const theirs = peer.results[i]!;
          const where = `${kernel} kernel, case ${i} (${c.clicks.length} clicks)`;
          expect(theirs.indices, where).toEqual(ours.indices);
          theirs.scores.forEach((s, j) => expect(Math.abs(s - ours.scores[j]!), `${where}, rank ${j}`).toBeLessThan(1e-3));
          theirs.losses.forEach((l, j) => expect(Math.abs(l - ours.losses[j]!), `${where}, step ${j}`).toBeLessThan(1e-3));
        }
      }
      model.dispose();
    });
  }

  it('can fail: other clicks give another top 20', async () => {
    const catalog = await benchCatalog(1_999);
    const model = await load(catalog.files);
    const peer = await peerClicks(catalog.dir, [{ clicks: [1, 2, 3] }], TOP, 0);
    const ours = await engineTop(model, { clicks: [100, 200, 300] }, 'tfjs');
    expect(peer.results[0]!.indices).not.toEqual(ours.indices);
    model.dispose();
  });
});
