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
    // A repeated key: JSON keeps the last, and so does the catalog (the id is not read in place).
    const twice = packCatalog([{ file: 'c.json', items: 2 }], { 'c.json': bytes('{"items":[{"id":"a","id":"b"},{"id":"ab"}]}') }, 2);
    expect([twice.indexOf('a'), twice.indexOf('b'), twice.indexOf('ab'), twice.id(0)]).toEqual([undefined, 0, 1, 'b']);
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
