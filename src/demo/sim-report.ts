// What the simulator panel draws and says about a run, as pure functions of
// the run record: the chart (the current taste, the one before the switch,
// the un-adapted line, a marker per switch), the status sentence, one line per
// switch, and the data-* attributes automation reads.
import type { ChartMarker, ChartSpec, Series } from './charts';
import { clicksOf, currentOf, type SimRun } from './sim-run';
import { followSwitches, type SwitchOutcome } from './simulator';

/** What the report needs of a persona. */
export interface Named {
  readonly id: string;
  readonly name: string;
}

const pct = (rate: number) => `${Math.round(rate * 100)}%`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const firstName = (p: Named) => p.name.split(' ')[0] ?? p.name;
const points = (series: readonly number[]) => series.map((y, x) => [x, y] as const);

/** One switch's outcome in words, e.g. "followed after 4 clicks" or "not followed yet (3 clicks in)". */
export function followWords(o: SwitchOutcome, running: boolean): string {
  if (o.followedAfter === 0) return 'already ahead at the switch';
  if (o.followedAfter !== null) return `followed after ${plural(o.followedAfter, 'click')}`;
  return o.closed || !running ? `not followed in ${plural(o.clicks, 'click')}` : `not followed yet (${plural(o.clicks, 'click')} in)`;
}

/** Tones of the personas' lines, most recent first: the one clicking now, the one before, the one before that. */
const TONES = ['accent', 'warm', 'good'] as const;

/**
 * The chart of a run: a line per persona that clicked in it (the last three),
 * across the whole run, so each switch's crossover shows; the un-adapted line
 * of the persona clicking now; a marker per switch, its band up to the click
 * the ranking followed.
 */
export function runChart(run: SimRun, personas: readonly Named[], running: boolean): ChartSpec {
  const now = currentOf(run);
  const name = personas[now]!.name;
  const recent = [now];
  for (const s of [...run.switches].reverse()) if (!recent.includes(s.from)) recent.push(s.from);
  const series: Series[] = recent.slice(0, TONES.length).map((p, k) => {
    const until = Math.max(...run.switches.filter((s) => s.from === p).map((s) => s.at));
    const label = p === now ? (run.switches.length ? `${personas[p]!.name}’s taste (clicking now)` : `${name}’s taste, adapting on this device`) : `${personas[p]!.name}’s taste (clicked until click ${until})`;
    return { label, points: points(run.rates[p]!), tone: TONES[k]! };
  });
  series.push({ label: `un-adapted, ${name}’s taste: the no-click ranking minus clicked items`, points: points(run.unadapted[now]!), tone: 'muted', dashed: true });
  const markers: ChartMarker[] = followSwitches(run.rates, run.switches).map((o) => {
    const followed = o.followedAfter !== null;
    return {
      x: o.at,
      label: `→ ${firstName(personas[o.to]!)}: ${followed ? plural(o.followedAfter!, 'click') : o.closed || !running ? 'not followed' : 'not yet'}`,
      until: o.at + (o.followedAfter ?? o.clicks),
      open: !followed,
    };
  });
  return {
    title: `Hit rate of ${recent.length > 1 ? 'each persona’s' : `${name}’s`} liked items in the top 10`,
    xLabel: 'simulated clicks',
    yLabel: 'liked in top 10',
    yRange: [0, 1],
    xMin: 0,
    xMax: Math.max(10, clicksOf(run)),
    yFormat: pct,
    series,
    markers,
    // The default plot height plus the two rows reserved for marker labels.
    height: 216,
  };
}

/** The status sentence after the latest click; once the run stopped (`running` false) an open figure is final. */
export function runStatus(run: SimRun, personas: readonly Named[], running = true): string {
  const clicks = clicksOf(run);
  const now = currentOf(run);
  const me = personas[now]!.name;
  const rate = run.rates[now]!.at(-1)!;
  const flat = run.unadapted[now]!.at(-1)!;
  const last = followSwitches(run.rates, run.switches).at(-1);
  if (!last) return `${plural(clicks, 'click')}: ${pct(rate)} of the top 10 is ${me}’s taste, vs ${pct(flat)} un-adapted.`;
  const old = personas[last.from]!.name;
  return (
    `${plural(clicks, 'click')}, ${last.clicks} as ${me}: ${pct(rate)} of the top 10 is ${me}’s taste, ` +
    `${pct(run.rates[last.from]!.at(-1)!)} ${old}’s (un-adapted ${pct(flat)}). ${followSentence(last, me, old, running)}`
  );
}

function followSentence(o: SwitchOutcome, me: string, old: string, running: boolean): string {
  if (o.followedAfter === 0) return `${me}’s taste already led ${old}’s at the switch and has not fallen behind since.`;
  if (o.followedAfter !== null) return `The ranking followed ${me} after ${plural(o.followedAfter, 'click')}: ${me}’s taste took the lead from ${old}’s and has not fallen behind since.`;
  const when = running ? 'yet' : `in ${plural(o.clicks, 'click')}`;
  return `Not followed ${when}: ${me}’s taste has not taken a lead over ${old}’s that held.`;
}

/** One line per switch, e.g. "At click 20, Dosa Noan → Tube Doan: followed after 6 clicks." */
export function switchLines(run: SimRun, personas: readonly Named[], running: boolean): string[] {
  return followSwitches(run.rates, run.switches).map(
    (o) => `At click ${o.at}, ${personas[o.from]!.name} → ${personas[o.to]!.name}: ${followWords(o, running)}.`,
  );
}

/** The panel's data-* attributes (values as strings) for automation; undefined removes one. */
export function runData(run: SimRun, personas: readonly Named[]): Record<string, string | undefined> {
  const now = currentOf(run);
  const last = run.switches.at(-1);
  const outcomes = followSwitches(run.rates, run.switches);
  const involved = [...new Set([run.start, ...run.switches.map((s) => s.to)])];
  const latest = outcomes.at(-1);
  return {
    clicks: String(Math.max(0, clicksOf(run))),
    persona: personas[now]!.id,
    points: JSON.stringify({
      adapted: points(run.rates[now]!),
      baseline: points(run.unadapted[now]!),
      previous: last ? points(run.rates[last.from]!) : [],
    }),
    rates: JSON.stringify(Object.fromEntries(involved.map((p) => [personas[p]!.id, run.rates[p]]))),
    switches: JSON.stringify(outcomes.map((o) => ({ ...o, from: personas[o.from]!.id, to: personas[o.to]!.id }))),
    followedAfter: latest ? (latest.followedAfter === null ? 'not-yet' : String(latest.followedAfter)) : undefined,
  };
}
