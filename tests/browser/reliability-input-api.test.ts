import { describe, expect, it } from 'vitest';
import { serveArtifact } from './support/artifact-route';
import { startEngine } from './support/engine';
import { storedSummary } from './support/idb-inspect';
import { useTinySuite } from './support/tiny-suite';
import type {} from './pages/engine-page';

// Bad input through the public API, in the page a site would call it from.
const suite = useTinySuite();

async function engine(backend: 'cpu' | 'wasm' = 'cpu') {
  const { context, page } = await suite.harness.newPage();
  const modelUrl = await serveArtifact(context, 'tiny', suite.files);
  const info = await startEngine(page, { modelUrl, backend });
  return { context, page, info };
}

describe('bad input to the recommender API', () => {
  it('refuses bad ids, counts and ratings with an Error naming the value, and stores nothing', async () => {
    const { context, page, info } = await engine();
    const outcomes = await page.evaluate(async () => {
      const rec = window.rec as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const calls: [string, unknown[]][] = [
        ['click', [42]],
        ['click', [null]],
        ['click', [undefined]],
        ['click', [{ id: 'i1' }]],
        ['click', [['i1']]],
        ['click', ['']],
        ['click', [Symbol('i1')]],
        ['click', [() => 'i1']],
        ['click', ['x'.repeat(5_000_000)]],
        ['click', ['nope']],
        ['impressions', ['i1']],
        ['impressions', [['i1', 7]]],
        ['impressions', [['i1', 'nope']]],
        ['recommend', []],
        ['recommend', [{ count: -1 }]],
        ['recommend', [{ count: 2.5 }]],
        ['recommend', [{ count: '10' }]],
        ['recommend', [{ count: 10, exclude: 'i1' }]],
        ['recommend', [{ count: 10, exclude: ['nope'] }]],
        ['rate', ['i1', 7]],
        ['rate', ['i1', NaN]],
        ['rate', ['i1', '5']],
      ];
      const out: { call: string; error: boolean; message: string }[] = [];
      for (const [method, args] of calls) {
        try {
          await rec[method]!(...args);
          out.push({ call: method, error: false, message: 'resolved' });
        } catch (error) {
          out.push({ call: method, error: error instanceof Error, message: (error as Error).message });
        }
      }
      let listener = 'accepted';
      try {
        window.rec.on('ranking', 'render' as unknown as () => void);
      } catch (error) {
        listener = (error as Error).message;
      }
      return { out, listener, errorEvents: window.log.error.length };
    });
    const messages = outcomes.out.map((o) => o.message);
    expect(outcomes.out.every((o) => o.error)).toBe(true);
    expect(messages).toEqual([
      'click(itemId): an item id must be a non-empty string, got the number 42. Pass the id from the catalog, e.g. "sku-123".',
      'click(itemId): an item id must be a non-empty string, got null. Pass the id from the catalog, e.g. "sku-123".',
      'click(itemId): an item id must be a non-empty string, got undefined. Pass the id from the catalog, e.g. "sku-123".',
      'click(itemId): an item id must be a non-empty string, got an object (Object). Pass the id from the catalog, e.g. "sku-123".',
      'click(itemId): an item id must be a non-empty string, got an array of 1. Pass the id from the catalog, e.g. "sku-123".',
      'click(itemId): an item id must be a non-empty string, got the string "". Pass the id from the catalog, e.g. "sku-123".',
      'click(itemId): an item id must be a non-empty string, got the symbol Symbol(i1). Pass the id from the catalog, e.g. "sku-123".',
      'click(itemId): an item id must be a non-empty string, got a function. Pass the id from the catalog, e.g. "sku-123".',
      `click(itemId): the item id the string "${'x'.repeat(59)}… (5,000,000 characters) is longer than any catalog id can be (1024 characters).`,
      `Unknown item id "nope": not in catalog ${info.modelVersion} (60 items)`,
      'impressions(itemIds): expected an array of item ids, got the string "i1". Wrap a single id: ["sku-123"].',
      'impressions(itemIds)[1]: an item id must be a non-empty string, got the number 7. Pass the id from the catalog, e.g. "sku-123".',
      `Unknown item id "nope": not in catalog ${info.modelVersion} (60 items)`,
      'recommend(options): expected { count }, got undefined, e.g. recommend({ count: 10 }).',
      'recommend({ count }): count must be a whole number of items ≥ 0, got the number -1, e.g. { count: 10 }.',
      'recommend({ count }): count must be a whole number of items ≥ 0, got the number 2.5, e.g. { count: 10 }.',
      'recommend({ count }): count must be a whole number of items ≥ 0, got the string "10", e.g. { count: 10 }.',
      'recommend({ exclude }): expected an array of item ids, got the string "i1". Wrap a single id: ["sku-123"].',
      `Unknown item id "nope": not in catalog ${info.modelVersion} (60 items)`,
      'rate(itemId, value): a rating must be a number from 1 to 5, got the number 7.',
      'rate(itemId, value): a rating must be a number from 1 to 5, got the number NaN.',
      'rate(itemId, value): a rating must be a number from 1 to 5, got the string "5".',
    ]);
    expect(outcomes.listener).toBe('on("ranking", listener): listener must be a function, got the string "render".');
    // Refused calls are errors to the caller, not events, and leave nothing stored.
    expect(outcomes.errorEvents).toBe(0);
    expect((await page.evaluate(storedSummary, 'localrec')).events).toEqual([]);
    // The recommender still works.
    expect((await page.evaluate(() => window.rec.click('i1'))).superseded).toBe(false);
    await context.close();
  });

  it('survives a flood of 2,000 clicks at once: every click stored, the last adaptation covers all of them', async () => {
    const { context, page } = await engine('wasm');
    const out = await page.evaluate(async () => {
      const before = (await window.debugInfo(window.rec)).numTensors;
      const ids = Array.from({ length: 2000 }, (_, k) => (k % 500 === 250 ? 'nope' : `i${(k * 7) % 60}`));
      const results = await Promise.allSettled(ids.map((id) => window.rec.click(id)));
      const after = (await window.debugInfo(window.rec)).numTensors;
      const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      return {
        ids: ids.filter((id) => id !== 'nope'),
        rejected: results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message.split(':')[0]] : [])),
        applied: ok.filter((r) => !r.superseded).length,
        last: ok.at(-1)!,
        before,
        after,
        metrics: window.log.ranking.at(-1)!.metrics,
      };
    });
    expect(out.rejected).toEqual(['Unknown item id "nope"', 'Unknown item id "nope"', 'Unknown item id "nope"', 'Unknown item id "nope"']);
    expect(out.last.superseded).toBe(false);
    expect(out.applied).toBeGreaterThanOrEqual(1);
    expect(out.metrics.clicks).toBe(1996);
    expect(out.after).toBe(out.before);
    const stored = await page.evaluate(storedSummary, 'localrec');
    expect(stored.events.map((e) => e.itemId)).toEqual(out.ids);
    // The parameters kept are adapted on every stored click, not just on the ones stored before the burst.
    expect(stored.states.map((s) => s.eventCount)).toEqual([1996]);
    await page.reload();
    const again = await startEngine(page, { modelUrl: '/fixture-models/tiny/model.json', backend: 'wasm' });
    expect(again).toMatchObject({ storedEvents: 1996, personal: true });
    await context.close();
  });
});
