import { describe, expect, it } from 'vitest';
import { Stopwatch } from '../../../src/worker/startup';

describe('Stopwatch (ReadyInfo.startup)', () => {
  it('charges each lap the time since the previous one, moves nested work apart, and lists phases in start order', () => {
    let t = 100;
    const clock = new Stopwatch(() => t);
    t = 103.04;
    clock.lap('storage');
    t = 110;
    clock.lap('cacheRead');
    t = 150;
    clock.lap('backend');
    clock.move('build', 25, 'backend');
    t = 151;
    clock.lap('ranking');
    const result = clock.result();
    expect(result).toEqual({ storage: 3, cacheRead: 7, build: 25, backend: 15, ranking: 1 });
    expect(Object.keys(result)).toEqual(['storage', 'cacheRead', 'build', 'backend', 'ranking']);
  });
});
