import { beforeAll, describe, expect, it } from 'vitest';
import { tinyArtifact } from '../unit/worker/fixtures/tiny-artifact';
import { catalogBytes, editModelJson, items, rehashed, type Files } from './support/artifact-variants';
import { startEngine, startEngineError } from './support/engine';
import { faultyHost, type Fault } from './support/fault-route';
import { storedSummary } from './support/idb-inspect';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

// Every way a model download can go wrong, on a first visit (nothing cached:
// `ready` rejects, naming the problem, and nothing is stored) and for a
// returning visitor (the cached version keeps serving, an error event says
// why, and their events, parameters and ranking are untouched).
const suite = useTinySuite();
let next: Files;
beforeAll(async () => {
  next = await tinyArtifact({ items: 60, dim: 8, steps: 3, seed: 9 });
});

interface Case {
  readonly name: string;
  /** The faulty version, made from a good one. */
  make(good: Files): { files: Files; faults?: Fault[] };
  readonly error: RegExp;
}

const nanWeights = (good: Files) => {
  const weights = good['weights.bin']!.slice();
  new DataView(weights.buffer).setFloat32(0, NaN, true);
  return weights;
};

const CASES: Case[] = [
  { name: 'a truncated weight shard', make: (files) => ({ files, faults: [{ kind: 'truncate', file: 'weights.bin' }] }), error: /Artifact file "weights\.bin" of model maml-\w+ failed verification: SHA-256 \w{64} \(\d+ bytes\), expected \w{64} \(\d+ bytes\)\. The download was cut short\./ },
  { name: 'a corrupted catalog', make: (files) => ({ files, faults: [{ kind: 'flip', file: 'catalog.json' }] }), error: /Artifact file "catalog\.json" of model maml-\w+ failed verification: .* it was not used\./ },
  {
    name: 'a wrong hash in model.json',
    make: (files) => ({ files: editModelJson(files, (j) => void (j.localrec.files['weights.bin']!.sha256 = 'ab'.repeat(32))) }),
    error: /"weights\.bin" of model maml-\w+ failed verification: SHA-256 \w{64} \(\d+ bytes\), expected (ab){32}/,
  },
  { name: 'a model.json that is not JSON', make: (files) => ({ files: { ...files, 'model.json': new TextEncoder().encode('{"localrec": {') } }), error: /\/model\.json is not JSON \(.+\): modelUrl must point at an artifact's model\.json\./ },
  { name: 'a model.json of another format', make: (files) => ({ files: { ...files, 'model.json': new TextEncoder().encode('{"format":"layers-model"}') } }), error: /model\.json is not a localrec model: expected a "localrec" block/ },
  {
    name: 'a model.json naming a file on another site',
    make: (files) => ({ files: editModelJson(files, (j) => void (j.localrec.files['https://evil.example/w.bin'] = { sha256: 'ab'.repeat(32), bytes: 1 })) }),
    error: /model\.json is malformed: localrec\.files names "https:\/\/evil\.example\/w\.bin"; files must be plain names next to model\.json/,
  },
  { name: 'an absurd adaptation step count', make: (files) => ({ files: editModelJson(files, (j) => void (j.localrec.adaptation.steps = 1e9)) }), error: /model\.json is malformed: localrec\.adaptation\.steps is 1000000000, not a whole number from 0 to 100/ },
  {
    name: 'a correctly hashed catalog that does not match the weights',
    make: (files) => ({ files: rehashed(files, { 'catalog.json': catalogBytes(items('i', 0, 59)) }, 'maml-mismatch') }),
    error: /catalog\.json of model maml-mismatch has 59 items, but the weights are for 60: the catalog does not match the model\./,
  },
  {
    name: 'correctly hashed weights for another catalog size',
    make: (files) => ({ files: rehashed(files, { 'catalog.json': catalogBytes(items('i', 0, 59)) }, 'maml-shape', (j) => void (j.localrec.shape.items = 59)) }),
    error: /Weight "itemEmb" in model\.json is \[60,8\] "float32"; model maml-shape \(items 59, features 4, dim 8\) needs float32 \[59, 8\]: the weights do not match/,
  },
  { name: 'correctly hashed weights with a NaN', make: (files) => ({ files: rehashed(files, { 'weights.bin': nanWeights(files) }, 'maml-nan') }), error: /Weight "contentW" of model maml-nan has the non-finite value NaN at 0: retrain the model\./ },
  { name: 'the server down', make: (files) => ({ files, faults: [{ kind: 'down', file: '*' }] }), error: /Could not download http:\/\/[\d.:]+\/fixture-models\/faults\/model\.json \(0 of unknown bytes received\): Failed to fetch\. Check the network connection and modelUrl\./ },
  { name: 'a server error on the weight shard', make: (files) => ({ files, faults: [{ kind: 'status', file: 'weights.bin', status: 503 }] }), error: /Could not download http:\/\/[\d.:]+\/fixture-models\/faults\/weights\.bin: HTTP 503 Service Unavailable\. Check modelUrl\./ },
];

const top10 = () => window.rec.recommend({ count: 10 });

describe('artifact faults on a first visit: a clear error, nothing cached', () => {
  for (const c of CASES) {
    it(`refuses ${c.name}`, async () => {
      const { context, page } = await suite.harness.newPage();
      const host = await faultyHost(context, 'faults');
      const bad = c.make(suite.files);
      host.serve(bad.files, ...(bad.faults ?? []));
      const message = await startEngineError(page, { modelUrl: host.modelUrl, backend: 'cpu' });
      expect(message).toMatch(/^Error: /);
      expect(message).toMatch(c.error);
      const stored = await page.evaluate(storedSummary, 'localrec');
      expect(stored).toMatchObject({ artifact: null, artifactFiles: [], events: [], states: [] });
      // Only the artifact's own files were asked for: a bad model.json sends the worker nowhere else.
      expect(host.requested.every((f) => ['model.json', 'weights.bin', 'catalog.json'].includes(f))).toBe(true);
      await context.close();
    });
  }
});

describe('artifact faults for a returning visitor: the cached version keeps serving, nothing stored is lost', () => {
  for (const c of CASES) {
    it(`keeps serving through ${c.name}`, async () => {
      const { context, page } = await suite.harness.newPage();
      const host = await faultyHost(context, 'faults');
      host.serve(suite.files);
      const first = await startEngine(page, { modelUrl: host.modelUrl, backend: 'cpu' });
      await page.evaluate(async () => {
        await window.rec.impressions(['i1', 'i3']);
        for (const id of ['i2', 'i5', 'i8']) await window.rec.click(id);
      });
      const before = { top: await page.evaluate(top10), stored: await page.evaluate(storedSummary, 'localrec') };
      expect(before.stored.states).toEqual([{ version: first.modelVersion, eventCount: 5 }]);

      const bad = c.make(next);
      host.serve(bad.files, ...(bad.faults ?? []));
      await page.reload();
      const again = await startEngine(page, { modelUrl: host.modelUrl, backend: 'cpu' });
      expect(again).toMatchObject({ modelVersion: first.modelVersion, fromCache: true, personal: true, storedEvents: 5, ignoredEvents: 0, discardedStates: [] });
      const errors = await page.evaluate(() => window.log.error);
      expect(errors.map((e) => e.name)).toEqual(['ModelUpdateFailed']);
      expect(errors[0]!.message).toMatch(new RegExp(`^(Kept|Using) cached model ${first.modelVersion}: `));
      expect(errors[0]!.message).toMatch(c.error);

      expect(await page.evaluate(storedSummary, 'localrec')).toEqual(before.stored);
      const top = await page.evaluate(top10);
      expect(top.map((i) => i.id)).toEqual(before.top.map((i) => i.id));
      top.forEach((item, i) => expect(item.score).toBeCloseTo(before.top[i]!.score, 5));
      expect((await page.evaluate(() => window.rec.click('i11'))).superseded).toBe(false);
      await context.close();
    });
  }
});
