import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/storage';
import type { EngineModel } from '../../../src/worker/model';
import type { EventMap } from '../../../src/worker/messages';
import { CLICK_PHASES } from '../../../src/worker/click-timings';
import { Session, type Emit } from '../../../src/worker/session';
import { fixtureModel } from './fixture-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let n = 0;
function recorder() {
  const events: { type: keyof EventMap; data: unknown }[] = [];
  const emit: Emit = (type, data) => events.push({ type, data });
  return { events, emit };
}

/** `store` whose saves of parameters wait until `release()`: `started` lists each save's event count as it begins. */
function heldSaves(store: Store) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const started: number[] = [];
  const held: Store = Object.assign(Object.create(store) as Store, {
    async saveState(version: string, state: unknown, eventCount?: number) {
      started.push(eventCount ?? 0);
      await gate;
      return store.saveState(version, state, eventCount);
    },
  });
  return { store: held, started, release };
}

describe('Session', () => {
  it('stores a click, ranks it before adapting, adapts, saves and pushes a ranking', async () => {
    const model = fixtureModel();
    const store = await openStore(`session-${++n}`);
    const { events, emit } = recorder();
    const { session, personal } = await Session.open(model, store, emit, () => 'cpu');
    expect(personal).toBe(false);
    const result = await session.click('i4');
    expect(result.superseded).toBe(false);
    expect(result.rank).toBeGreaterThanOrEqual(1);
    expect(result.metrics.clicks).toBe(1);
    expect(events.filter((e) => e.type === 'adapt').map((e) => (e.data as { step: number }).step)).toEqual([0, 1, 2, 3]);
    const ranking = events.find((e) => e.type === 'ranking')!.data as EventMap['ranking'];
    expect(ranking.items.map((i) => i.id)).not.toContain('i4');
    await session.flushSaves();
    expect((await store.loadState('test-1'))?.eventCount).toBe(1);
    session.dispose();
    model.dispose();
    store.close();
  });

  it("answers a click once its ranking is pushed, with the click's phases, and saves the parameters after it, in order", async () => {
    const model = fixtureModel();
    const store = await openStore(`session-${++n}`);
    const held = heldSaves(store);
    const { events, emit } = recorder();
    const { session } = await Session.open(model, held.store, emit, () => 'cpu');
    const first = await session.click('i4');
    expect(events.filter((e) => e.type === 'ranking')).toHaveLength(1);
    expect(Object.keys(first.timings)).toEqual([...CLICK_PHASES, 'total']);
    const phases = CLICK_PHASES.map((p) => first.timings[p]);
    expect(phases.every((ms) => ms >= 0)).toBe(true);
    expect(first.timings.total).toBeGreaterThanOrEqual(phases.reduce((a, b) => a + b, 0) - 0.5);
    await session.click('i9');
    // Both answered while the first save still waits; the events are stored already.
    expect(held.started).toEqual([1]);
    expect(await store.loadState('test-1')).toBeUndefined();
    expect((await store.events()).map((e) => e.itemId)).toEqual(['i4', 'i9']);
    held.release();
    await session.flushSaves();
    expect(held.started).toEqual([1, 2]);
    expect((await store.loadState('test-1'))?.eventCount).toBe(2);
    session.dispose();
    model.dispose();
    store.close();
  });

  it('reset waits for a save in flight: the parameters do not come back after it', async () => {
    const model = fixtureModel();
    const store = await openStore(`session-${++n}`);
    const held = heldSaves(store);
    const { session } = await Session.open(model, held.store, () => {}, () => 'cpu');
    await session.click('i4');
    const reset = session.reset();
    // Long enough for the clears to finish if reset did not wait for the save.
    await new Promise((resolve) => setTimeout(resolve, 50));
    held.release();
    await reset;
    await session.flushSaves();
    expect(await store.loadState('test-1')).toBeUndefined();
    expect(await store.events()).toEqual([]);
    session.dispose();
    model.dispose();
    store.close();
  });

  it('names an unknown item id, the model version and the catalog size', async () => {
    const model = fixtureModel();
    const store = await openStore(`session-${++n}`);
    const { session } = await Session.open(model, store, () => {}, () => 'cpu');
    await expect(session.click('x42')).rejects.toThrow('Unknown item id "x42": not in catalog test-1 (30 items)');
    await expect(session.recommend(5, ['nope'])).rejects.toThrow('Unknown item id "nope"');
    session.dispose();
    model.dispose();
    store.close();
  });

  it('a newer click supersedes an adaptation in flight', async () => {
    const model = fixtureModel(30, 4, 50);
    const store = await openStore(`session-${++n}`);
    const { events, emit } = recorder();
    const { session } = await Session.open(model, store, emit, () => 'cpu');
    const first = session.click('i1');
    // Let the first click start adapting before the second one arrives.
    while (!events.some((e) => e.type === 'adapt')) await new Promise((r) => setTimeout(r, 1));
    const second = session.click('i2');
    const [a, b] = await Promise.all([first, second]);
    expect(a.superseded).toBe(true);
    expect(b.superseded).toBe(false);
    expect(events.filter((e) => e.type === 'ranking')).toHaveLength(1);
    expect((await store.events()).map((e) => e.itemId)).toEqual(['i1', 'i2']);
    session.dispose();
    model.dispose();
    store.close();
  });

  it('restores stored parameters for a returning visitor: same ranking, no adaptation', async () => {
    const model = fixtureModel();
    const name = `session-${++n}`;
    let store = await openStore(name);
    const first = await Session.open(model, store, () => {}, () => 'cpu');
    await first.session.click('i7');
    await first.session.click('i10');
    const before = await first.session.recommend(10);
    first.session.dispose();
    store.close();
    store = await openStore(name);
    const { events, emit } = recorder();
    const again = await Session.open(model, store, emit, () => 'cpu');
    expect(again.personal).toBe(true);
    expect(again.storedEvents).toBe(2);
    const after = await again.session.recommend(10);
    expect(after.map((i) => i.id)).toEqual(before.map((i) => i.id));
    expect(events.filter((e) => e.type === 'adapt')).toHaveLength(0);
    again.session.dispose();
    model.dispose();
    store.close();
  });

  it('keeps the tensor count flat over many adaptations and after reset', async () => {
    const model = fixtureModel();
    const store = await openStore(`session-${++n}`);
    const { session } = await Session.open(model, store, () => {}, () => 'cpu');
    await session.click('i0');
    const baseline = tf.memory().numTensors;
    for (let k = 0; k < 40; k++) await session.click(`i${k % 30}`);
    await session.impressions(['i3', 'i5']);
    await session.click('i9');
    expect(tf.memory().numTensors).toBe(baseline);
    await session.reset();
    expect(await store.events()).toEqual([]);
    expect(tf.memory().numTensors).toBe(baseline);
    session.dispose();
    model.dispose();
    store.close();
  });
});

describe('Session catch-up', () => {
  it('re-adapts once when events were stored after the saved parameters', async () => {
    const model = fixtureModel();
    const name = `session-${++n}`;
    let store = await openStore(name);
    const first = await Session.open(model, store, () => {}, () => 'cpu');
    await first.session.click('i7');
    await first.session.impressions(['i1', 'i2']);
    first.session.dispose();
    store.close();
    store = await openStore(name);
    const { events, emit } = recorder();
    const again = await Session.open(model, store, emit, () => 'cpu');
    await again.session.catchUp();
    expect(events.filter((e) => e.type === 'ranking').map((e) => (e.data as EventMap['ranking']).cause)).toEqual(['ready']);
    expect((await store.loadState('test-1'))?.eventCount).toBe(3);
    await again.session.catchUp();
    expect(events.filter((e) => e.type === 'ranking')).toHaveLength(1);
    again.session.dispose();
    model.dispose();
    store.close();
  });
});

describe('Session across model versions', () => {
  it('a new model version starts personal from the stored clicks and adapts once on them', async () => {
    const oldModel = fixtureModel();
    const name = `session-${++n}`;
    let store = await openStore(name);
    const first = await Session.open(oldModel, store, () => {}, () => 'cpu');
    await first.session.click('i3');
    first.session.dispose();
    oldModel.dispose();
    store.close();

    const newModel = { ...fixtureModel(), version: 'test-2' };
    store = await openStore(name);
    const { events, emit } = recorder();
    const opened = await Session.open(newModel, store, emit, () => 'cpu');
    expect(opened.personal).toBe(true);
    await opened.session.catchUp();
    expect(events.filter((e) => e.type === 'adapt').length).toBeGreaterThan(0);
    expect((await store.loadState('test-2'))?.eventCount).toBe(1);
    opened.session.dispose();
    newModel.dispose();
    store.close();
  });
});

describe('Session ratings', () => {
  it('stores a rating, adapts on it, and refuses an out-of-range value', async () => {
    const model = fixtureModel();
    const store = await openStore(`session-${++n}`);
    const { events, emit } = recorder();
    const { session } = await Session.open(model, store, emit, () => 'cpu');
    expect(await session.rate('i6', 5)).toEqual({ superseded: false });
    expect((events.at(-1)!.data as EventMap['ranking']).cause).toBe('rating');
    expect((await store.events()).map((e) => [e.type, e.itemId, e.value])).toEqual([['rating', 'i6', 5]]);
    await expect(session.rate('i6', 9)).rejects.toThrow('Rating 9 for "i6" is out of range: use a number from 1 to 5.');
    session.dispose();
    model.dispose();
    store.close();
  });
});

describe('Session after a failure', () => {
  /** A store whose events() or addEvents() throws once when armed, as a failing disk would. */
  async function faultyStore(name: string) {
    const store = await openStore(name);
    const armed = { events: false, addEvents: false };
    const fail = (what: keyof typeof armed): void => {
      if (!armed[what]) return;
      armed[what] = false;
      throw new DOMException(`Test fault in ${what}()`, 'UnknownError');
    };
    const faulty: Store = {
      ...store,
      events: async () => (fail('events'), store.events()),
      addEvents: async (events) => (fail('addEvents'), store.addEvents(events)),
    };
    return { store: faulty, armed, close: () => store.close() };
  }

  /** Model parameters whose learning rates throw on the next read when armed: adapt() itself fails. */
  function faultyRates(model: EngineModel) {
    const armed = { adapt: false };
    const params = new Proxy(model.adaptModel.params, {
      get(target, prop, receiver) {
        if (prop === 'logLrUser' && armed.adapt) {
          armed.adapt = false;
          throw new Error('Test fault in adapt()');
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    return { model: { ...model, adaptModel: { ...model.adaptModel, params } }, armed };
  }

  for (const what of ['events', 'addEvents', 'adapt'] as const) {
    it(`a click whose ${what}() threw leaves nothing in flight: another tab's events are adapted on (sync)`, async () => {
      const base = fixtureModel();
      const { model, armed: modelFault } = faultyRates(base);
      const db = await faultyStore(`session-${++n}`);
      const { events, emit } = recorder();
      const { session } = await Session.open(model, db.store, emit, () => 'cpu');
      if (what === 'adapt') modelFault.adapt = true;
      else db.armed[what] = true;
      await expect(session.click('i4')).rejects.toThrow(`Test fault in ${what}()`);
      // Another tab stored a click and says so.
      await db.store.addEvents([{ type: 'click', itemId: 'i9', time: Date.now(), modelVersion: model.version }]);
      await session.sync();
      const synced = events.filter((e) => e.type === 'ranking' && (e.data as EventMap['ranking']).cause === 'sync');
      expect(synced).toHaveLength(1);
      expect((synced[0]!.data as EventMap['ranking']).items.map((i) => i.id)).not.toContain('i9');
      session.dispose();
      base.dispose();
      db.close();
    });
  }

  it('catchUp() still refreshes stale parameters after a click that threw', async () => {
    const model = fixtureModel();
    const name = `session-${++n}`;
    const first = await Session.open(model, await openStore(name), () => {}, () => 'cpu');
    await first.session.click('i7');
    await first.session.impressions(['i1', 'i2']);
    first.session.dispose();
    const db = await faultyStore(name);
    const { events, emit } = recorder();
    const again = await Session.open(model, db.store, emit, () => 'cpu');
    db.armed.addEvents = true;
    await expect(again.session.click('i3')).rejects.toThrow('Test fault in addEvents()');
    await again.session.catchUp();
    expect(events.filter((e) => e.type === 'adapt').length).toBeGreaterThan(0);
    expect((await db.store.loadState('test-1'))?.eventCount).toBe(3);
    again.session.dispose();
    model.dispose();
    db.close();
  });
});
