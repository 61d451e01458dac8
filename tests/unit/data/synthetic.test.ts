import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/data/dataset';
import { personaFromJson, personasFromJson, type PersonaJson } from '../../../src/data/persona';
import { generateWorld, type World } from '../../../src/data/synthetic';

/** Item ids per user, in click order (the generator emits users' rows in time order). */
function clicksByUser(ds: Dataset): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of ds.interactions) {
    const list = out.get(r.user) ?? [];
    list.push(r.item);
    out.set(r.user, list);
  }
  return out;
}

function categoryIndex(ds: Dataset): Map<string, string> {
  return new Map(ds.items.map((item) => [item.id, item.tags[0]!]));
}

/** Mean total-variation distance between category shares of users' first and last quarter of clicks. */
function meanDrift(ds: Dataset): number {
  const cat = categoryIndex(ds);
  const shares = (items: string[]) => {
    const m = new Map<string, number>();
    for (const i of items) m.set(cat.get(i)!, (m.get(cat.get(i)!) ?? 0) + 1 / items.length);
    return m;
  };
  let total = 0;
  const users = clicksByUser(ds);
  for (const items of users.values()) {
    const q = Math.floor(items.length / 4);
    const a = shares(items.slice(0, q));
    const b = shares(items.slice(-q));
    let tv = 0;
    for (const k of new Set([...a.keys(), ...b.keys()])) tv += Math.abs((a.get(k) ?? 0) - (b.get(k) ?? 0));
    total += tv / 2;
  }
  return total / users.size;
}

describe('generateWorld (default size)', () => {
  let world: World;
  beforeAll(() => {
    world = generateWorld({ seed: 7 });
  });

  it('has the default shape: 2,000 items, 1,500 users with 20–150 distinct, time-ordered clicks', () => {
    const ds = world.dataset;
    expect(ds).toMatchObject({ name: 'synthetic', hasTimestamps: true, hasRatings: false });
    expect(ds.items).toHaveLength(2000);
    expect(world.categories).toHaveLength(12);
    const names = new Set(world.categories.map((c) => c.name));
    for (const item of ds.items) expect(names.has(item.tags[0]!)).toBe(true);
    const byUser = clicksByUser(ds);
    expect(byUser.size).toBe(1500);
    for (const items of byUser.values()) {
      if (items.length < 20 || items.length > 150) throw new Error(`user has ${items.length} clicks`);
      if (new Set(items).size !== items.length) throw new Error('repeated item in a user history');
    }
    let last = new Map<string, number>();
    for (const r of ds.interactions) {
      if (r.timestamp! <= (last.get(r.user) ?? -Infinity)) throw new Error(`timestamps not increasing for ${r.user}`);
      last.set(r.user, r.timestamp!);
    }
    expect(world.personas.map((p) => p.id)).toEqual([...byUser.keys()]);
  });

  it('has long-tailed popularity', () => {
    const ds = world.dataset;
    const counts = new Map<string, number>();
    for (const r of ds.interactions) counts.set(r.item, (counts.get(r.item) ?? 0) + 1);
    const sorted = ds.items.map((i) => counts.get(i.id) ?? 0).sort((a, b) => b - a);
    const share = (k: number) => sorted.slice(0, k).reduce((a, b) => a + b, 0) / ds.interactions.length;
    expect(share(200)).toBeGreaterThan(0.3); // top 10% of items: > 3× their uniform share
    expect(sorted[0]!).toBeGreaterThan(20 * sorted[1000]!); // head vs median item
    expect(world.popularity.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it("concentrates users' clicks on their taste: first clicks predict later ones", () => {
    const ds = world.dataset;
    const cat = categoryIndex(ds);
    const globalShare = new Map<string, number>();
    for (const r of ds.interactions) globalShare.set(cat.get(r.item)!, (globalShare.get(cat.get(r.item)!) ?? 0) + 1 / ds.interactions.length);
    const personas = new Map(world.personas.map((p) => [p.id, p]));
    let inTaste = 0;
    let hits = 0;
    let later = 0;
    let baseline = 0;
    for (const [user, items] of clicksByUser(ds)) {
      const p = personas.get(user)!;
      const tasteCats = new Set([...p.taste.categories, ...p.drift].map((c) => c.name));
      for (const i of items) if (tasteCats.has(cat.get(i)!)) inTaste++;
      const first = new Map<string, number>();
      for (const i of items.slice(0, 10)) first.set(cat.get(i)!, (first.get(cat.get(i)!) ?? 0) + 1);
      const mode = [...first].sort((a, b) => b[1] - a[1])[0]![0];
      for (const i of items.slice(10)) if (cat.get(i) === mode) hits++;
      later += items.length - 10;
      baseline += (items.length - 10) * globalShare.get(mode)!;
    }
    expect(inTaste / ds.interactions.length).toBeGreaterThan(0.7);
    expect(hits / later).toBeGreaterThan(0.5);
    expect(hits / baseline).toBeGreaterThan(3);
  });

  it('gives personas that like a few % of the catalog, mostly in their categories, and survive JSON', () => {
    const items = world.dataset.items;
    let liked = 0;
    let likedInTaste = 0;
    for (const p of world.personas.slice(0, 200)) {
      const cats = new Set(p.taste.categories.map((c) => c.name));
      for (const i of items) {
        if (!p.likes(i.id)) continue;
        liked++;
        if (cats.has(i.tags[0]!)) likedInTaste++;
      }
    }
    const likedShare = liked / items.length / 200;
    // Tag matches alone can make an item likeable, so "mostly", not "all".
    expect(likedInTaste / liked).toBeGreaterThan(0.8);
    expect(likedShare).toBeGreaterThan(0.01);
    expect(likedShare).toBeLessThan(0.06);

    const json = JSON.parse(JSON.stringify(world.personas.slice(0, 50))) as PersonaJson[];
    const rebuilt = personasFromJson(json, JSON.parse(JSON.stringify(items)));
    for (const [k, p] of rebuilt.entries()) {
      const original = world.personas[k]!;
      expect(p.name).toBe(original.name);
      for (const item of items.slice(0, 300)) {
        expect(p.affinity(item.id)).toBe(original.affinity(item.id));
        expect(p.likes(item.id)).toBe(original.likes(item.id));
      }
    }
    const one = personaFromJson(json[0]!, items);
    expect(() => one.affinity('x42')).toThrow('Unknown item id "x42": not in this persona\'s catalog (2,000 items)');
  });
});

describe('generateWorld (small worlds)', () => {
  const small = { items: 600, users: 200, categories: 8 };

  it('is deterministic: same seed → identical dataset and personas; other seeds differ', () => {
    const a = generateWorld({ seed: 'demo', ...small });
    const b = generateWorld({ seed: 'demo', ...small });
    expect(b.dataset).toEqual(a.dataset);
    expect(JSON.stringify(b.personas)).toBe(JSON.stringify(a.personas));
    const c = generateWorld({ seed: 'demo2', ...small });
    expect(c.dataset.interactions.slice(0, 50)).not.toEqual(a.dataset.interactions.slice(0, 50));
  });

  it('drifts tastes: late clicks differ from early ones more than without drift', () => {
    const drifting = generateWorld({ seed: 5, ...small, drift: 1 });
    const still = generateWorld({ seed: 5, ...small, drift: 0 });
    expect(meanDrift(drifting.dataset)).toBeGreaterThan(meanDrift(still.dataset) + 0.08);
    expect(still.personas.every((p) => JSON.stringify(p.drift) === JSON.stringify(p.taste.categories))).toBe(true);
    const moved = drifting.personas.filter((p) => JSON.stringify(p.drift) !== JSON.stringify(p.taste.categories));
    expect(moved.length).toBeGreaterThan(150);
    const p = moved[0]!;
    const item = drifting.dataset.items.find((i) => p.affinity(i.id) !== p.affinity(i.id, 1));
    expect(item).toBeDefined();
  });

  it('adds explicit 1–5 ratings that follow affinity when asked', () => {
    const w = generateWorld({ seed: 11, ...small, ratingFraction: 0.5 });
    expect(w.dataset.hasRatings).toBe(true);
    const rated = w.dataset.interactions.filter((r) => r.rating !== undefined);
    expect(rated.length / w.dataset.interactions.length).toBeGreaterThan(0.4);
    expect(rated.length / w.dataset.interactions.length).toBeLessThan(0.6);
    expect(rated.every((r) => Number.isInteger(r.rating) && r.rating! >= 1 && r.rating! <= 5)).toBe(true);
    const personas = new Map(w.personas.map((p) => [p.id, p]));
    const mean = (rows: typeof rated) => rows.reduce((s, r) => s + r.rating!, 0) / rows.length;
    const liked = rated.filter((r) => personas.get(r.user)!.likes(r.item));
    const other = rated.filter((r) => !personas.get(r.user)!.likes(r.item));
    expect(mean(liked)).toBeGreaterThan(mean(other) + 0.5);
  });

  it('explains bad options', () => {
    expect(() => generateWorld({ seed: 1, items: 100, maxClicks: 80 })).toThrow(
      'generateWorld: maxClicks (80) must be at most half the items (100); add items or lower it',
    );
    expect(() => generateWorld({ seed: 1, users: 0 })).toThrow('generateWorld: users must be a positive integer, got 0');
    expect(() => generateWorld({ seed: 1, drift: 2 })).toThrow('generateWorld: drift must be in [0, 1], got 2');
    expect(generateWorld({ seed: 1, items: 40, users: 3, categories: 4 }).dataset.interactions.length).toBeGreaterThan(0);
  });
});
