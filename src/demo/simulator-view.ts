// The simulated visitor: a persona clicks through the same click() path as a
// person, and the chart compares its hit rate with the un-adapted ranking's.
// Mid-run the persona can switch (by hand or on a schedule) without a reset:
// the stored clicks stay and the chart shows how fast the ranking follows.
import type { Persona } from '../data/persona';
import type { RankedItem } from '../index';
import { renderLineChart, type ChartMarker } from './charts';
import { byId, el, errorMessage } from './dom';
import { createRng } from '../math/rng';
import { runChart, runData, runStatus, switchLines } from './sim-report';
import { addPoint, clicksOf, currentOf, newRun, switchTo, turnClicks, type SimRun } from './sim-run';
import { chooseClick, CONSIDERED, hitRate, mostDifferentPersona, SIM_SPEEDS, unadaptedHitRate, type SimSpeed } from './simulator';
import { describeTaste } from './world';

/** Clicks a persona makes after it took over before the simulator stops by itself. */
export const MAX_SIM_CLICKS = 40;
/** Clicks in one run, whatever the switches, so the catalog and the chart stay readable. */
export const MAX_RUN_CLICKS = 120;
/** The scheduled switch's default: after this many clicks, to the persona most unlike the first. */
const DEFAULT_SWITCH_AFTER = 20;

export interface SimHost {
  /** Back to a fresh visitor (meta-initialization). */
  reset(): Promise<void>;
  /** One recommend() call on the current model, best first. */
  rankAll(count: number): Promise<RankedItem[]>;
  /** The ids shown now, best first. */
  shown(): readonly string[];
  /** Clicks like a person: impressions for the rest of the shown list, then click(). */
  click(id: string): Promise<void>;
  catalogSize(): number;
  /** Every item id of the catalog. */
  catalogIds(): readonly string[];
  /** Highlights the persona's liked items in the list, or none. */
  highlight(liked: ((id: string) => boolean) | null): void;
  /** Marks the run's persona switches on the page's other click charts. */
  markSwitches(markers: readonly ChartMarker[]): void;
  setBusy(busy: boolean): void;
}

/** Wires the simulator panel (elements from index.html) to `host`. */
export function createSimulatorView(personas: readonly Persona[], host: SimHost, options: { speed: SimSpeed; seed: number }): void {
  const panel = byId('simulator');
  const select = byId<HTMLSelectElement>('persona-select');
  const speed = byId<HTMLSelectElement>('sim-speed');
  const reveal = byId<HTMLInputElement>('show-taste');
  const taste = byId('persona-taste');
  const toggle = byId<HTMLButtonElement>('sim-toggle');
  const status = byId('sim-status');
  const chart = byId('sim-chart');
  const driftTo = byId<HTMLSelectElement>('drift-to');
  const driftAfter = byId<HTMLInputElement>('drift-after');
  const switchList = byId('sim-switches');

  const liked = personas.map((p) => new Set(host.catalogIds().filter((id) => p.likes(id))));
  const describe = (p: Persona, i: number) => `${p.name}: ${p.taste.categories.map((c) => c.name).join(' + ')} (${liked[i]!.size} liked items)`;
  select.replaceChildren(...personas.map((p, i) => el('option', { value: String(i) }, [describe(p, i)])));
  driftTo.replaceChildren(el('option', { value: '' }, ['nobody (no scheduled switch)']), ...personas.map((p, i) => el('option', { value: String(i) }, [describe(p, i)])));
  // Start with the persona that has the most to find, so the curve has room to move,
  // and schedule a switch to the one least like it, so the drift is plain to see.
  const first = liked.findIndex((s) => s.size === Math.max(...liked.map((l) => l.size)));
  select.value = String(first);
  if (personas.length > 1) driftTo.value = String(mostDifferentPersona(personas.map((p, i) => ({ categories: p.taste.categories, liked: liked[i]! })), first));
  driftAfter.max = String(MAX_RUN_CLICKS - 1);
  driftAfter.value = String(DEFAULT_SWITCH_AFTER);
  speed.value = options.speed;

  let running = false;
  let run: SimRun = newRun(personas.length, first);
  /** Whether a click is in flight: a switch then waits, so the click is counted for the persona that made it. */
  let clicking = false;
  let pending: number | null = null;
  let scheduleFired = false;

  const showTaste = () => {
    const p = personas[Number(select.value)] ?? personas[0]!;
    taste.hidden = !reveal.checked;
    taste.textContent = `${p.name}’s hidden taste: ${describeTaste(p)}. Liked items are outlined in the list.`;
    host.highlight(reveal.checked ? (id) => p.likes(id) : null);
  };
  const render = () => {
    for (const [key, value] of Object.entries(runData(run, personas))) {
      if (value === undefined) delete panel.dataset[key];
      else panel.dataset[key] = value;
    }
    const spec = runChart(run, personas, running);
    renderLineChart(chart, spec);
    host.markSwitches(spec.markers ?? []);
    switchList.replaceChildren(...switchLines(run, personas, running).map((line) => el('li', {}, [line])));
  };
  const applySwitch = (to: number) => {
    run = switchTo(run, to);
    select.value = String(currentOf(run));
    showTaste();
    render();
    const last = run.switches.at(-1);
    if (last && last.at === clicksOf(run)) {
      status.textContent = `Switched to ${personas[last.to]!.name} after ${last.at} clicks. The ${last.at} stored clicks stay, so the model has to follow a taste that moved.`;
    } else if (clicksOf(run) >= 0) status.textContent = runStatus(run, personas);
  };
  const scheduled = (): number | null => {
    const after = driftAfter.valueAsNumber;
    if (scheduleFired || driftTo.value === '' || !Number.isInteger(after) || after < 1) return null;
    return Number(driftTo.value);
  };
  const finished = (): string | null => {
    if (clicksOf(run) >= MAX_RUN_CLICKS) return ` Stopped after ${MAX_RUN_CLICKS} clicks in all.`;
    const waiting = scheduled() !== null;
    if (turnClicks(run) >= MAX_SIM_CLICKS && !waiting) return ` Stopped: ${personas[currentOf(run)]!.name} made ${MAX_SIM_CLICKS} clicks.`;
    return null;
  };

  const simulate = async () => {
    const random = createRng(options.seed).next;
    running = true;
    scheduleFired = false;
    pending = null;
    toggle.textContent = 'Stop the simulated visitor';
    toggle.setAttribute('aria-pressed', 'true');
    host.setBusy(true);
    // Who starts may still change while the session resets: the change handler updates this run.
    run = newRun(personas.length, Number(select.value));
    render();
    let stop: string | null = null;
    let failed = false;
    try {
      status.textContent = 'Starting from a fresh visitor: your stored clicks were reset…';
      await host.reset();
      // One call before the first click: the un-adapted line is computed from this ranking only.
      const initial = (await host.rankAll(host.catalogSize())).map((i) => i.id);
      const clicked = new Set<string>();
      const record = () => {
        const shown = host.shown();
        run = addPoint(run, personas.map((p) => hitRate(shown, p)), personas.map((p) => unadaptedHitRate(initial, clicked, p)));
      };
      record();
      render();
      while (running) {
        stop = finished();
        if (stop) break;
        await new Promise((r) => setTimeout(r, SIM_SPEEDS[speed.value as SimSpeed] ?? SIM_SPEEDS.normal));
        if (!running) break;
        const due = scheduled();
        if (due !== null && clicksOf(run) >= driftAfter.valueAsNumber) {
          scheduleFired = true;
          applySwitch(due);
        }
        const shown = host.shown().slice(0, CONSIDERED);
        const elsewhere = [...liked[currentOf(run)]!].filter((id) => !clicked.has(id) && !shown.includes(id));
        const id = chooseClick(shown, personas[currentOf(run)]!, random, elsewhere);
        clicking = true;
        try {
          await host.click(id);
        } finally {
          clicking = false;
        }
        clicked.add(id);
        record();
        status.textContent = runStatus(run, personas);
        if (pending !== null) applySwitch(pending);
        pending = null;
        render();
      }
    } catch (error) {
      failed = true;
      status.textContent = `The simulated visitor stopped: ${errorMessage(error)}`;
    } finally {
      running = false;
      toggle.textContent = 'Start simulated visitor';
      toggle.setAttribute('aria-pressed', 'false');
      host.setBusy(false);
      if (!failed && clicksOf(run) > 0) status.textContent = runStatus(run, personas, false) + (stop ?? '');
      // Between runs the persona control says who starts: the same as this run, so Start repeats it.
      select.value = String(run.start);
      showTaste();
      // Open figures become final ("not followed in n clicks").
      render();
    }
  };

  toggle.addEventListener('click', () => {
    if (running) running = false;
    else void simulate();
  });
  select.addEventListener('change', () => {
    const to = Number(select.value);
    if (running && clicking) pending = to;
    else if (running) applySwitch(to);
    else {
      // Between runs the persona picks who starts: the old chart no longer applies.
      run = newRun(personas.length, to);
      showTaste();
      render();
    }
  });
  // A new schedule arms again, even after this run's first scheduled switch.
  driftTo.addEventListener('change', () => (scheduleFired = false));
  driftAfter.addEventListener('change', () => (scheduleFired = false));
  reveal.addEventListener('change', showTaste);
  toggle.disabled = false;
  showTaste();
  render();
}
