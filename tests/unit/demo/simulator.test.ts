import { describe, expect, it } from 'vitest';
import { chooseClick, clicksToFollow, followSwitches, hitRate, mostDifferentPersona, unadaptedHitRate, type Taste } from '../../../src/demo/simulator';

const likesEven: Taste = { affinity: (id) => (Number(id.slice(1)) % 2 === 0 ? 1 : 0), likes: (id) => Number(id.slice(1)) % 2 === 0 };
const ids = (n: number) => Array.from({ length: n }, (_, i) => `i${i}`);

describe('the simulated visitor', () => {
  it('clicks its favourite among the first 20, or a random one when exploring', () => {
    const shown = ['i1', 'i3', 'i4', ...ids(30).slice(5)];
    expect(chooseClick(shown, likesEven, () => 0.5)).toBe('i4');
    const rolls = [0.05, 0.99];
    expect(chooseClick(shown, likesEven, () => rolls.shift()!)).toBe(shown[19]);
    expect(() => chooseClick([], likesEven, () => 0.5)).toThrow(/ranking is empty/);
  });

  it('looks for a liked item beyond the list only when it likes nothing shown', () => {
    const odd = ['i1', 'i3', 'i5'];
    expect(chooseClick(odd, likesEven, () => 0.5, ['i40', 'i42'])).toBe('i42');
    expect(chooseClick(odd, likesEven, () => 0.2, ['i40', 'i42'])).toBe('i40');
    expect(chooseClick(odd, likesEven, () => 0.5)).toBe('i1');
    expect(chooseClick(['i1', 'i2'], likesEven, () => 0.5, ['i40'])).toBe('i2');
  });

  it('scores hit rates over k, and the un-adapted list without the clicked items', () => {
    expect(hitRate(ids(4), likesEven)).toBe(0.2);
    expect(unadaptedHitRate(ids(30), new Set(['i0', 'i2']), likesEven)).toBe(0.4);
    expect(() => unadaptedHitRate(ids(11), new Set(['i0', 'i1']), likesEven)).toThrow(/only 11 items.*after 2 clicks/);
  });
});

/** The definition, restated as a forward scan: a lead of two of the top 10 starts the count, falling behind cancels it. */
function followedByScan(next: readonly number[], previous: readonly number[]): number | null {
  let followed: number | null = null;
  next.forEach((rate, n) => {
    const lead = Math.round((rate - previous[n]!) * 10);
    if (lead < 0) followed = null;
    else if (lead >= 2 && followed === null) followed = n;
  });
  return followed;
}

describe('clicksToFollow', () => {
  it('is the first click at which the new taste leads by two of the top 10 and after which it never falls behind', () => {
    expect(clicksToFollow([0, 0.1, 0.3, 0.5, 0.6], [0.6, 0.5, 0.3, 0.2, 0.1])).toBe(3);
    // Ahead by 2 at 1, behind at 2: following starts again at 3.
    expect(clicksToFollow([0, 0.5, 0.2, 0.5], [0.3, 0.3, 0.3, 0.3])).toBe(3);
    // 0.3 − 0.1 is 0.19999… in floating point: still a lead of two.
    expect(clicksToFollow([0, 0.3], [0.2, 0.1])).toBe(1);
  });

  it('does not count a lead of one item, nor a tie, but keeps a lead through later ties', () => {
    expect(clicksToFollow([0, 0.1, 0, 0], [0.5, 0, 0, 0])).toBeNull();
    expect(clicksToFollow([0, 0.1, 0.3, 0.1, 0, 0], [0.5, 0, 0.1, 0.1, 0, 0])).toBe(2);
    expect(clicksToFollow([0, 0.2, 0.2], [0.5, 0.2, 0.2])).toBeNull();
    expect(clicksToFollow([0, 0.1], [0.5, 0], 0.1)).toBe(1);
  });

  it('is 0 when the new taste already led at the switch', () => {
    expect(clicksToFollow([0.5, 0.6], [0.1, 0.1])).toBe(0);
  });

  it('is null when the new taste never led since it was last behind: empty top 10s never count', () => {
    expect(clicksToFollow([0, 0.2, 0.6, 0.2], [0.6, 0.5, 0.3, 0.3])).toBeNull();
    expect(clicksToFollow([0, 0, 0], [0, 0, 0])).toBeNull();
    expect(clicksToFollow([], [])).toBeNull();
  });

  it('agrees with a forward scan on random series', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 500; trial++) {
      const length = 1 + Math.floor(random() * 12);
      const series = () => Array.from({ length }, () => Math.floor(random() * 5) / 10);
      const [next, previous] = [series(), series()];
      expect(clicksToFollow(next, previous), `${next} vs ${previous}`).toBe(followedByScan(next, previous));
    }
  });

  it('refuses series of different lengths and a margin that lets a tie lead', () => {
    expect(() => clicksToFollow([0, 1], [0])).toThrow(/2 for the new persona, 1 for the old/);
    expect(() => clicksToFollow([0], [0], 0)).toThrow(/margin must be above 0 \(got 0\)/);
  });
});

describe('followSwitches', () => {
  // Three personas over 9 points (clicks 0..8): A leads, B takes over at click 3, C at click 6.
  const rates = [
    [0.2, 0.4, 0.5, 0.6, 0.5, 0.3, 0.2, 0.2, 0.1], // A
    [0.0, 0.0, 0.0, 0.0, 0.2, 0.5, 0.5, 0.4, 0.3], // B
    [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6], // C
  ];

  it('measures each turn from its switch to the next (inclusive) or to the latest point', () => {
    const out = followSwitches(rates, [{ at: 3, from: 0, to: 1 }, { at: 6, from: 1, to: 2 }]);
    expect(out).toEqual([
      // B vs A over clicks 3..6: 0<0.6, 0.2<0.5, 0.5 leads 0.3 by two, 0.5>0.2 → followed 2 clicks after the switch.
      { at: 3, from: 0, to: 1, clicks: 3, followedAfter: 2, closed: true },
      // C vs B over clicks 6..8: 0.1<0.5, 0.2<0.4, 0.6 leads 0.3 → 2 clicks, still open.
      { at: 6, from: 1, to: 2, clicks: 2, followedAfter: 2, closed: false },
    ]);
  });

  it('reports a turn that never followed as null, closed or not', () => {
    const out = followSwitches(rates, [{ at: 1, from: 0, to: 2 }, { at: 4, from: 2, to: 1 }, { at: 7, from: 1, to: 0 }]);
    expect(out[0]).toMatchObject({ clicks: 3, followedAfter: null, closed: true });
    // B over C from click 4 to 7: ahead by one item at 4, by four at 5 → followed after 1 click.
    expect(out[1]).toMatchObject({ clicks: 3, followedAfter: 1, closed: true });
    // A behind B at 7 and 8: not followed, still open.
    expect(out[2]).toMatchObject({ clicks: 1, followedAfter: null, closed: false });
  });

  it('has nothing to say without switches', () => {
    expect(followSwitches(rates, [])).toEqual([]);
  });

  it('refuses switches that do not chain, repeat a persona, or go back in time', () => {
    expect(() => followSwitches(rates, [{ at: 3, from: 0, to: 1 }, { at: 5, from: 0, to: 2 }])).toThrow(/must chain/);
    expect(() => followSwitches(rates, [{ at: 3, from: 1, to: 1 }])).toThrow(/to itself/);
    expect(() => followSwitches(rates, [{ at: 3, from: 0, to: 1 }, { at: 3, from: 1, to: 2 }])).toThrow(/strictly increasing/);
    expect(() => followSwitches(rates, [{ at: 9, from: 0, to: 1 }])).toThrow(/within the 9 recorded points/);
    expect(() => followSwitches(rates, [{ at: 2, from: 0, to: 5 }])).toThrow(/cover only 3 personas/);
    expect(() => followSwitches([[0, 1], [0]], [{ at: 0, from: 0, to: 1 }])).toThrow(/has 1 recorded points, persona 0 has 2/);
  });
});

describe('mostDifferentPersona', () => {
  const persona = (cats: Record<string, number>, liked: string[]) => ({
    categories: Object.entries(cats).map(([name, weight]) => ({ name, weight })),
    liked: new Set(liked),
  });

  it('prefers no shared category, then no shared liked items, then more liked items', () => {
    const world = [
      persona({ Audio: 0.5, Crafts: 0.5 }, ['a', 'b']),
      persona({ Audio: 1 }, ['c', 'd', 'e', 'f']), // shares Audio
      persona({ Outdoor: 1 }, ['a', 'g']), // shares a liked item
      persona({ Pets: 1 }, ['h']),
      persona({ Garden: 1 }, ['i', 'j']), // disjoint, more liked than Pets
    ];
    expect(mostDifferentPersona(world, 0)).toBe(4);
    expect(mostDifferentPersona(world.slice(0, 3), 0)).toBe(2);
    expect(() => mostDifferentPersona(world.slice(0, 1), 0)).toThrow(/at least two/);
    expect(() => mostDifferentPersona(world, 7)).toThrow(/No persona 7/);
  });
});
