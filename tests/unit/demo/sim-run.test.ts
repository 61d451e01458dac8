import { describe, expect, it } from 'vitest';
import { runChart, runData, runStatus, switchLines } from '../../../src/demo/sim-report';
import { addPoint, clicksOf, currentOf, newRun, switchTo, turnClicks, type SimRun } from '../../../src/demo/sim-run';

const personas = [
  { id: 'p0', name: 'Ana Alpha' },
  { id: 'p1', name: 'Bo Beta' },
  { id: 'p2', name: 'Cy Gamma' },
];
/** Adds points with these live rates (one array per point, persona order) and un-adapted rates of 0.1. */
const withPoints = (run: SimRun, ...points: number[][]) => points.reduce((r, p) => addPoint(r, p, [0.1, 0.1, 0.1]), run);

describe('the run record', () => {
  it('starts empty, counts clicks from the first point, and refuses unknown personas', () => {
    const run = newRun(3, 1);
    expect(clicksOf(run)).toBe(-1);
    expect(currentOf(run)).toBe(1);
    expect(clicksOf(withPoints(run, [0, 0, 0], [0, 0, 0]))).toBe(1);
    expect(() => newRun(3, 3)).toThrow(/from 0 to 2/);
    expect(() => switchTo(run, -1)).toThrow(/Cannot switch to persona -1/);
    expect(() => addPoint(run, [0, 0], [0, 0, 0])).toThrow(/each of the 3 personas \(got 2 live, 3 un-adapted\)/);
  });

  it('before the first click a switch only changes who starts', () => {
    const run = switchTo(withPoints(newRun(3, 0), [0, 0, 0]), 2);
    expect(run.switches).toEqual([]);
    expect(run.start).toBe(2);
    expect(switchTo(newRun(3, 0), 1).start).toBe(1);
  });

  it('records a switch at the current click and keeps every point (no reset)', () => {
    let run = withPoints(newRun(3, 0), [0.1, 0, 0], [0.3, 0, 0], [0.5, 0, 0]);
    run = switchTo(run, 1);
    expect(run.switches).toEqual([{ at: 2, from: 0, to: 1 }]);
    expect(run.rates[0]).toEqual([0.1, 0.3, 0.5]);
    expect(turnClicks(run)).toBe(0);
    run = withPoints(run, [0.4, 0.2, 0]);
    expect(turnClicks(run)).toBe(1);
    expect(switchTo(run, 1)).toBe(run);
  });

  it('merges switches with no click in between: A→B→C is A→C, A→B→A is none', () => {
    const run = switchTo(withPoints(newRun(3, 0), [0, 0, 0], [0, 0, 0]), 1);
    expect(switchTo(run, 2).switches).toEqual([{ at: 1, from: 0, to: 2 }]);
    expect(switchTo(run, 0).switches).toEqual([]);
  });
});

describe('the report of a run', () => {
  // Ana clicks 2 times, Bo takes over and leads Ana by two of the top 10 from his second click on; then Cy takes over.
  let run = withPoints(newRun(3, 0), [0.2, 0, 0], [0.4, 0.1, 0], [0.5, 0, 0]);
  run = withPoints(switchTo(run, 1), [0.4, 0.2, 0], [0.2, 0.4, 0], [0.2, 0.5, 0.1]);
  const beforeCy = run;
  run = withPoints(switchTo(run, 2), [0.2, 0.4, 0.1]);

  it('says how many clicks the ranking took to follow, or that it has not yet', () => {
    expect(runStatus(beforeCy, personas)).toBe(
      '5 clicks, 3 as Bo Beta: 50% of the top 10 is Bo Beta’s taste, 20% Ana Alpha’s (un-adapted 10%). ' +
        'The ranking followed Bo Beta after 2 clicks: Bo Beta’s taste took the lead from Ana Alpha’s and has not fallen behind since.',
    );
    expect(runStatus(run, personas)).toMatch(/^6 clicks, 1 as Cy Gamma: 10% .* Not followed yet: Cy Gamma’s taste has not taken a lead over Bo Beta’s that held\.$/);
    expect(switchLines(run, personas, true)).toEqual([
      'At click 2, Ana Alpha → Bo Beta: followed after 2 clicks.',
      'At click 5, Bo Beta → Cy Gamma: not followed yet (1 click in).',
    ]);
    expect(switchLines(run, personas, false)[1]).toBe('At click 5, Bo Beta → Cy Gamma: not followed in 1 click.');
    expect(runStatus(run, personas, false)).toMatch(/ Not followed in 1 click: Cy Gamma’s taste has not taken a lead over Bo Beta’s that held\.$/);
    expect(runStatus(withPoints(newRun(3, 0), [0.2, 0, 0]), personas)).toBe('0 clicks: 20% of the top 10 is Ana Alpha’s taste, vs 10% un-adapted.');
  });

  it('draws every persona of the run, most recent first, the un-adapted line, and a marker per switch', () => {
    const spec = runChart(run, personas, true);
    expect(spec.series.map((s) => [s.label, s.tone])).toEqual([
      ['Cy Gamma’s taste (clicking now)', 'accent'],
      ['Bo Beta’s taste (clicked until click 5)', 'warm'],
      ['Ana Alpha’s taste (clicked until click 2)', 'good'],
      ['un-adapted, Cy Gamma’s taste: the no-click ranking minus clicked items', 'muted'],
    ]);
    expect(spec.title).toBe('Hit rate of each persona’s liked items in the top 10');
    // Back to Ana: still three lines, Ana's now the current one.
    const back = runChart(withPoints(switchTo(run, 0), [0.3, 0.3, 0.1]), personas, true);
    expect(back.series.map((s) => s.label.split('’')[0])).toEqual(['Ana Alpha', 'Cy Gamma', 'Bo Beta', 'un-adapted, Ana Alpha']);
    expect(spec.series[1]!.points).toEqual([[0, 0], [1, 0.1], [2, 0], [3, 0.2], [4, 0.4], [5, 0.5], [6, 0.4]]);
    expect(spec.markers).toEqual([
      { x: 2, label: '→ Bo: 2 clicks', until: 4, open: false },
      { x: 5, label: '→ Cy: not yet', until: 6, open: true },
    ]);
    const fresh = runChart(withPoints(newRun(3, 0), [0.2, 0, 0]), personas, false);
    expect(fresh.series.map((s) => s.label)).toEqual(['Ana Alpha’s taste, adapting on this device', 'un-adapted, Ana Alpha’s taste: the no-click ranking minus clicked items']);
    expect(fresh.title).toBe('Hit rate of Ana Alpha’s liked items in the top 10');
    expect(fresh.markers).toEqual([]);
  });

  it('exposes what automation checks as data', () => {
    const data = runData(run, personas);
    expect(data.clicks).toBe('6');
    expect(data.persona).toBe('p2');
    expect(data.followedAfter).toBe('not-yet');
    expect(runData(beforeCy, personas).followedAfter).toBe('2');
    expect(runData(newRun(3, 0), personas).followedAfter).toBeUndefined();
    expect(JSON.parse(data.switches!)).toEqual([
      { at: 2, from: 'p0', to: 'p1', clicks: 3, followedAfter: 2, closed: true },
      { at: 5, from: 'p1', to: 'p2', clicks: 1, followedAfter: null, closed: false },
    ]);
    expect(Object.keys(JSON.parse(data.rates!))).toEqual(['p0', 'p1', 'p2']);
    const points = JSON.parse(data.points!) as Record<string, [number, number][]>;
    expect(points.adapted!.map((p) => p[1])).toEqual([0, 0, 0, 0, 0, 0.1, 0.1]);
    expect(points.previous!.map((p) => p[1])).toEqual(run.rates[1]);
  });
});
