// The session so far, prequentially: every click is scored by where the model
// ranked that item BEFORE adapting on it, so the curve is honest evidence.
import type { ClickResult } from '../index';
import { renderLineChart, type ChartMarker } from './charts';
import { el } from './dom';

export interface SessionView {
  add(result: ClickResult): void;
  /** Marks events on the click axis (the simulated visitor's persona switches), replacing earlier marks. */
  mark(markers: readonly ChartMarker[]): void;
  clear(): void;
}

/** The session panel inside `host`. */
export function createSessionView(host: HTMLElement): SessionView {
  const summary = el('p', { class: 'summary', 'aria-live': 'polite' });
  const chart = el('figure', { class: 'chart-box' });
  host.append(summary, chart);
  let results: ClickResult[] = [];
  let markers: readonly ChartMarker[] = [];

  const render = () => {
    const last = results.at(-1);
    host.dataset.clicks = String(results.length);
    summary.textContent = last
      ? `${last.metrics.clicks} click${last.metrics.clicks === 1 ? '' : 's'}: HR@10 ${(last.metrics.hr10 * 100).toFixed(0)}%, ` +
        `MRR ${last.metrics.mrr.toFixed(3)}. The last click was at rank ${last.rank} before the model adapted on it.`
      : 'Each click is scored before the model learns from it: was the item already in your top 10 (HR@10), and how high (MRR)?';
    renderLineChart(chart, {
      title: 'Prequential quality over clicks',
      xLabel: 'clicks',
      yLabel: 'running mean',
      yRange: [0, 1],
      xMin: 1,
      xMax: Math.max(5, results.length, ...markers.map((m) => m.until ?? m.x)),
      // Label rows are reserved only once there is something to mark, so a visitor's own session keeps its plot.
      ...(markers.length ? { markers } : {}),
      series: [
        { label: 'HR@10 (clicked item was in the top 10)', points: results.map((r) => [r.metrics.clicks, r.metrics.hr10] as const), tone: 'accent' },
        { label: 'MRR (mean of 1 / rank)', points: results.map((r) => [r.metrics.clicks, r.metrics.mrr] as const), tone: 'good' },
      ],
    });
  };

  render();
  return {
    add(result) {
      // The engine's own count restarts with each page life; follow it.
      results = [...results.filter((r) => r.metrics.clicks < result.metrics.clicks), result];
      render();
    },
    mark(next) {
      markers = next;
      render();
    },
    clear() {
      results = [];
      markers = [];
      render();
    },
  };
}
