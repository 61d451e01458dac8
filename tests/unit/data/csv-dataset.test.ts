import { describe, expect, it } from 'vitest';
import { parseCsvInteractions, parseCsvItems } from '../../../src/data/csv-dataset';
import { loadDataset } from '../../../src/data/load';
import { writeFixture } from './fixtures';

describe('generic CSV format', () => {
  it('reads url and image columns of items.csv when present, and leaves empty ones out', () => {
    const items = parseCsvItems('item,title,url,image\ni-1,Tent,https://shop.example/tent, /img/tent.jpg \ni-2,Mug,,\n');
    expect(items).toEqual([
      { id: 'i-1', title: 'Tent', tags: [], url: 'https://shop.example/tent', image: '/img/tent.jpg' },
      { id: 'i-2', title: 'Mug', tags: [] },
    ]);
  });

  it('finds columns by header in any order, ignores extras, handles quoting and CRLF', async () => {
    const dir = writeFixture({
      'interactions.csv': 'Rating,source,Item,timestamp,USER\r\n4.5,"web, mobile",i-1,1700000000,"user ""a"""\r\n2,app,i-2,1700000100,b\r\n',
      'items.csv': 'tags,item,title\r\n"outdoor| camping ",i-1,"Tent, 2-person"\r\n,i-2,Mug\r\n',
    });
    const ds = await loadDataset('csv', dir, { name: 'shop' });
    expect(ds).toMatchObject({ name: 'shop', hasRatings: true, hasTimestamps: true });
    expect(ds.interactions).toEqual([
      { user: 'user "a"', item: 'i-1', timestamp: 1700000000, rating: 4.5 },
      { user: 'b', item: 'i-2', timestamp: 1700000100, rating: 2 },
    ]);
    expect(ds.items).toEqual([
      { id: 'i-1', title: 'Tent, 2-person', tags: ['outdoor', 'camping'] },
      { id: 'i-2', title: 'Mug', tags: [] },
    ]);
  });

  it('needs only user and item; titles default to ids; name defaults to "csv"', async () => {
    const ds = await loadDataset('csv', writeFixture({ 'interactions.csv': 'item,user\nx,1\n', 'items.csv': 'item\nx\n' }));
    expect(ds).toMatchObject({ name: 'csv', hasRatings: false, hasTimestamps: false });
    expect(ds.interactions).toEqual([{ user: '1', item: 'x' }]);
    expect(ds.items).toEqual([{ id: 'x', title: 'x', tags: [] }]);
  });

  it('names file, line and expectation for malformed rows', () => {
    expect(() => parseCsvInteractions('who,what\n1,2\n')).toThrow(
      'interactions.csv line 1: expected a header naming "user" and "item" (optionally "timestamp", "rating"); missing "user", "item", got "who,what"',
    );
    expect(() => parseCsvInteractions('user,item,timestamp\n1,2,3\n1,"2,3"\n')).toThrow(
      'interactions.csv line 3: expected "user,item,timestamp" (3 fields), got "1,2,3" (2 fields)',
    );
    expect(() => parseCsvInteractions('user,item,timestamp\n1,2,2024-01-01\n')).toThrow(
      'interactions.csv line 2: expected an integer timestamp (seconds), got "2024-01-01"',
    );
    expect(() => parseCsvInteractions('user,item,rating\n1,2,3\n"\n4",5,good\n')).toThrow(
      'interactions.csv line 3: expected a number rating, got "good"',
    );
    expect(() => parseCsvInteractions('user,item\n,2\n')).toThrow('interactions.csv line 2: expected a non-empty user id, got ""');
    expect(() => parseCsvItems('title\nx\n')).toThrow(/^items\.csv line 1: expected a header naming "item"/);
    expect(() => parseCsvInteractions('')).toThrow('interactions.csv is empty: expected a header naming "user" and "item"');
  });
});
