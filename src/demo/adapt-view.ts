// The latest adaptation, step by step, as it happens: loss and ms per step,
// the backend it ran on, and the previous run for comparison.
import type { AdaptEvent } from '../index';
import { renderLineChart } from './charts';
import { el } from './dom';

interface Run {
  readonly steps: AdaptEvent[];
}

export interface AdaptView {
  /** One 'adapt' event; a step number that does not follow the last one starts a new run. */
  add(event: AdaptEvent): void;
  /** Clears the panel (new recommender, reset). */
  clear(): void;
  /** One sentence on the latest finished adaptation, or null. */
  latest(): string | null;
}

/** The panel inside `host` (which carries data-testid="adapt-metrics"). */
export function createAdaptView(host: HTMLElement): AdaptView {
  const summary = el('p', { class: 'summary', 'aria-live': 'polite' }, ['No adaptation yet: click an item and the model adapts to it here, on this device.']);
  const table = el('table', { class: 'steps' });
  const lossChart = el('figure', { class: 'chart-box' });
  const msChart = el('figure', { class: 'chart-box' });
  host.append(summary, el('div', { class: 'charts two' }, [lossChart, msChart]), table);

  let runs: Run[] = [];
  let count = 0;

  const render = () => {
    const run = runs.at(-1);
    const previous = runs.at(-2);
    host.dataset.adaptations = String(count);
    host.dataset.steps = String(run?.steps.length ?? 0);
    if (!run) {
      summary.textContent = 'No adaptation yet: click an item and the model adapts to it here, on this device.';
      table.replaceChildren();
    } else {
      const last = run.steps.at(-1)!;
      const total = run.steps.reduce((sum, s) => sum + s.ms, 0);
      const done = last.step >= last.steps;
      summary.textContent =
        `Adaptation #${count} ${done ? 'finished' : 'running'}: step ${last.step} of ${last.steps} on ${last.backend}, ` +
        `loss ${run.steps[0]!.loss.toFixed(3)} → ${last.loss.toFixed(3)}, ${total.toFixed(1)} ms in all.`;
      table.replaceChildren(
        el('caption', {}, ['Steps of the latest adaptation']),
        el('thead', {}, [el('tr', {}, [el('th', { scope: 'col' }, ['Step']), el('th', { scope: 'col' }, ['Loss']), el('th', { scope: 'col' }, ['ms']), el('th', { scope: 'col' }, ['Backend'])])]),
        el(
          'tbody',
          {},
          run.steps.map((s) =>
            el('tr', { 'data-step': s.step }, [
              el('td', {}, [s.step === 0 ? '0 (start)' : String(s.step)]),
              el('td', {}, [s.loss.toFixed(4)]),
              el('td', {}, [s.ms.toFixed(1)]),
              el('td', {}, [s.backend]),
            ]),
          ),
        ),
      );
    }
    const series = (r: Run | undefined, pick: (s: AdaptEvent) => number) => (r ? r.steps.map((s) => [s.step, pick(s)] as const) : []);
    const steps = run?.steps[0]?.steps ?? 3;
    renderLineChart(lossChart, {
      title: 'Training loss per adaptation step',
      xLabel: 'step',
      yLabel: 'loss',
      zeroBased: false,
      xMin: 0,
      xMax: steps,
      series: [
        { label: 'latest click', points: series(run, (s) => s.loss), tone: 'accent' },
        { label: 'previous click', points: series(previous, (s) => s.loss), tone: 'muted', dashed: true },
      ],
    });
    renderLineChart(msChart, {
      title: 'Milliseconds per adaptation step',
      xLabel: 'step',
      yLabel: 'ms',
      xMin: 0,
      xMax: steps,
      yFormat: (v) => (v === 0 ? '0' : v.toFixed(v < 10 ? 1 : 0)),
      series: [
        { label: 'latest click', points: series(run, (s) => s.ms), tone: 'warm' },
        { label: 'previous click', points: series(previous, (s) => s.ms), tone: 'muted', dashed: true },
      ],
    });
  };

  render();
  return {
    add(event) {
      const run = runs.at(-1);
      const lastStep = run?.steps.at(-1)?.step;
      if (!run || lastStep === undefined || event.step <= lastStep) {
        runs = [...runs.slice(-1), { steps: [event] }];
        count += 1;
      } else run.steps.push(event);
      render();
    },
    latest() {
      const run = runs.at(-1);
      const last = run?.steps.at(-1);
      if (!run || !last) return null;
      const ms = run.steps.reduce((sum, s) => sum + s.ms, 0);
      return `adapted in ${last.step} steps (${ms.toFixed(0)} ms on ${last.backend}), loss ${run.steps[0]!.loss.toFixed(2)} → ${last.loss.toFixed(2)}`;
    },
    clear() {
      runs = [];
      count = 0;
      render();
    },
  };
}
