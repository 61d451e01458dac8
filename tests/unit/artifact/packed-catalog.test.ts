import { describe, expect, it } from 'vitest';
import { catalogItems } from '../../../src/artifact';
import { encodeCatalog } from '../../../src/artifact/v2/catalog';
import { packCatalog } from '../../../src/artifact/v2/packed-catalog';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('packCatalog (format v2 catalog held as its bytes)', () => {
  it('finds every id and parses each item on demand, over shards, with escapes and non-ASCII ids', () => {
    const items = Array.from({ length: 500 }, (_, i) => ({
      id: i % 50 === 0 ? `ü-"${i}"\\é😀` : `sku${i}`,
      title: `Product ${i} {with [brackets]}`,
      tags: [`c${i % 7}`, 'x"y'],
      ...(i % 3 === 0 ? { url: `https://shop.example/p/${i}` } : {}),
      ...(i % 5 === 0 ? { image: `/img/${i}.jpg` } : {}),
    }));
    const { shards, files } = encodeCatalog(items, 8 * 1024);
    expect(shards.length).toBeGreaterThan(3);
    const catalog = packCatalog(shards, files, items.length);
    expect(catalog.length).toBe(500);
    items.forEach((item, i) => {
      expect(catalog.indexOf(item.id)).toBe(i);
      expect(catalog.id(i)).toBe(item.id);
    });
    expect(catalog.item(150)).toEqual(items[150]);
    expect(catalogItems(catalog)).toEqual(items);
    expect(catalog.indexOf('sku500')).toBeUndefined();
    expect(catalog.indexOf('sku')).toBeUndefined();
    expect(catalog.indexOf('')).toBeUndefined();
    expect(() => catalog.item(500)).toThrow('Catalog item 500 does not exist: the catalog has 500 items.');
  });

  it('reads any valid JSON layout: other keys first, whitespace, nested arrays of objects, missing titles', () => {
    const text = ` { "note": [{"id": "not an item"}], "items" : [
      { "tags": [{"a": 1}], "id": "b\\u00e9" } ,
      {"id":"c","title":"C","tags":["t"],"extra":{"items":[{"id":"x"}]}}
    ], "after": [{}] }`;
    const catalog = packCatalog([{ file: 'catalog-000.json', items: 2 }], { 'catalog-000.json': bytes(text) }, 2);
    expect(catalog.indexOf('bé')).toBe(0);
    expect(catalog.item(0)).toEqual({ id: 'bé', title: 'bé', tags: ['[object Object]'] });
    expect(catalog.item(1)).toEqual({ id: 'c', title: 'C', tags: ['t'] });
    // A repeated "id" key would read one way parsed and another in place (a cached start): refused.
    expect(() => packCatalog([{ file: 'c.json', items: 2 }], { 'c.json': bytes('{"items":[{"id":"a","id":"b"},{"id":"ab"}]}') }, 2)).toThrow('c.json item 0 (id "b") has the key "id" twice: give each item one id.');
  });

  it('reads a checked catalog again (a verified cached copy) by scanning, to the same ids and items, still refusing repeated ids and wrong counts', () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ id: i % 40 === 0 ? `é"${i}` : `p${i}`, title: `T ${i}`, tags: ['a'], ...(i % 2 ? { url: `/p/${i}` } : {}) }));
    const { shards, files } = encodeCatalog(items, 4096);
    const parsed = packCatalog(shards, files, items.length);
    const scanned = packCatalog(shards, files, items.length, { checked: true });
    for (let i = 0; i < items.length; i++) {
      expect(scanned.indexOf(items[i]!.id)).toBe(i);
      expect(scanned.id(i)).toBe(parsed.id(i));
      expect(scanned.item(i)).toEqual(items[i]);
    }
    const one = [{ file: 'catalog-000.json', items: 2 }];
    const shard = (text: string) => ({ 'catalog-000.json': bytes(text) });
    expect(() => packCatalog(one, shard('{"items":[{"id":"a"},{"id":"a"}]}'), 2, { checked: true })).toThrow('catalog-000.json repeats the id "a"');
    expect(() => packCatalog(one, shard('{"items":[{"id":"a"}]}'), 2, { checked: true })).toThrow('catalog-000.json holds 1 item objects; model.json says 2');
  });

  it('refuses repeated ids, wrong counts, non-object items, unsafe links and broken JSON, naming the shard', () => {
    const shard = (list: unknown[]) => ({ 'catalog-000.json': bytes(JSON.stringify({ items: list })) });
    const one = [{ file: 'catalog-000.json', items: 2 }];
    expect(() => packCatalog(one, shard([{ id: 'a' }, { id: 'a' }]), 2)).toThrow('catalog-000.json repeats the id "a": ids must be unique.');
    expect(() => packCatalog(one, shard([{ id: 'a' }]), 2)).toThrow('catalog-000.json has 1 items; model.json says 2');
    expect(() => packCatalog(one, shard([{ id: 'a' }, 'b']), 2)).toThrow(/catalog-000\.json item 1 has the id undefined/);
    expect(() => packCatalog(one, shard([{ id: 'a' }, { id: 'b', url: 'javascript:alert(1)' }]), 2)).toThrow(/item 1 \(id "b"\) has the url "javascript:alert\(1\)"/);
    expect(() => packCatalog(one, { 'catalog-000.json': bytes('{"items":[{"id":"a"},') }, 2)).toThrow(/catalog-000\.json is not valid JSON/);
    expect(() => packCatalog([{ file: 'catalog-000.json', items: 2 }], shard([{ id: 'a' }, { id: 'b' }]), 3)).toThrow('The catalog shards hold 2 items, but the model has 3');
  });
});
