// The simulated visitor: a persona clicks through the same click() path as a
// person, and the chart compares its hit rate with the un-adapted ranking's.
import type { Persona } from '../data/persona';
import type { RankedItem } from '../index';
import { renderLineChart } from './charts';
import { byId, el, errorMessage } from './dom';
import { createRng } from '../math/rng';
import { chooseClick, hitRate, SIM_SPEEDS, unadaptedHitRate, type SimSpeed } from './simulator';
import { describeTaste } from './world';

/** Clicks the simulator makes before it stops by itself. */
export const MAX_SIM_CLICKS = 40;

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
  setBusy(busy: boolean): void;
}

type Point = readonly [number, number];

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

  const likedCount = personas.map((p) => host.catalogIds().filter((id) => p.likes(id)).length);
  select.replaceChildren(
    ...personas.map((p, i) => el('option', { value: String(i) }, [`${p.name}: ${p.taste.categories.map((c) => c.name).join(' + ')} (${likedCount[i]} liked items)`])),
  );
  // Start with the persona that has the most to find, so the curve has room to move.
  select.value = String(likedCount.indexOf(Math.max(...likedCount)));
  speed.value = options.speed;
  let running = false;
  let adapted: Point[] = [];
  let baseline: Point[] = [];

  const persona = () => personas[Number(select.value)] ?? personas[0]!;
  const showTaste = () => {
    const p = persona();
    taste.hidden = !reveal.checked;
    taste.textContent = `${p.name}’s hidden taste: ${describeTaste(p)}. Liked items are outlined in the list.`;
    host.highlight(reveal.checked ? (id) => p.likes(id) : null);
  };
  const render = () => {
    panel.dataset.clicks = String(adapted.length - 1);
    panel.dataset.points = JSON.stringify({ adapted, baseline });
    renderLineChart(chart, {
      title: `Hit rate of ${persona().name}’s liked items in the top 10`,
      xLabel: 'simulated clicks',
      yLabel: 'liked in top 10',
      yRange: [0, 1],
      xMin: 0,
      xMax: Math.max(10, adapted.length - 1),
      yFormat: (v) => `${Math.round(v * 100)}%`,
      series: [
        { label: 'adapting on this device', points: adapted, tone: 'accent' },
        { label: 'un-adapted: the no-click ranking, minus clicked items', points: baseline, tone: 'muted', dashed: true },
      ],
    });
  };

  const run = async () => {
    const p = persona();
    const random = createRng(options.seed).next;
    running = true;
    toggle.textContent = 'Stop the simulated visitor';
    toggle.setAttribute('aria-pressed', 'true');
    select.disabled = true;
    host.setBusy(true);
    try {
      status.textContent = 'Starting from a fresh visitor: your stored clicks were reset…';
      await host.reset();
      // One call before the first click: the un-adapted line is computed from this ranking only.
      const initial = (await host.rankAll(host.catalogSize())).map((i) => i.id);
      const clicked = new Set<string>();
      adapted = [[0, hitRate(host.shown(), p)]];
      baseline = [[0, unadaptedHitRate(initial, clicked, p)]];
      render();
      while (running && clicked.size < MAX_SIM_CLICKS) {
        await new Promise((r) => setTimeout(r, SIM_SPEEDS[speed.value as SimSpeed] ?? SIM_SPEEDS.normal));
        if (!running) break;
        const id = chooseClick(host.shown(), p, random);
        await host.click(id);
        clicked.add(id);
        adapted = [...adapted, [clicked.size, hitRate(host.shown(), p)]];
        baseline = [...baseline, [clicked.size, unadaptedHitRate(initial, clicked, p)]];
        const a = adapted.at(-1)![1];
        const b = baseline.at(-1)![1];
        status.textContent = `${clicked.size} clicks: ${Math.round(a * 100)}% of the top 10 is ${p.name}’s taste, vs ${Math.round(b * 100)}% un-adapted.`;
        render();
      }
      if (clicked.size >= MAX_SIM_CLICKS) status.textContent += ` Stopped after ${MAX_SIM_CLICKS} clicks.`;
    } catch (error) {
      status.textContent = `The simulated visitor stopped: ${errorMessage(error)}`;
    } finally {
      running = false;
      toggle.textContent = 'Start simulated visitor';
      toggle.setAttribute('aria-pressed', 'false');
      select.disabled = false;
      host.setBusy(false);
    }
  };

  toggle.addEventListener('click', () => {
    if (running) running = false;
    else void run();
  });
  select.addEventListener('change', () => {
    adapted = [];
    baseline = [];
    showTaste();
    render();
  });
  reveal.addEventListener('change', showTaste);
  toggle.disabled = false;
  showTaste();
  render();
}
