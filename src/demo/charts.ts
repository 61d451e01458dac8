// A small hand-drawn SVG line chart: axes with "nice" ticks, labelled axes and
// a legend. Colours come from CSS classes (tone-*) so light and dark schemes
// restyle it without re-rendering.

const SVG = 'http://www.w3.org/2000/svg';

export interface Series {
  readonly label: string;
  /** [x, y] points in data units, x ascending. */
  readonly points: readonly (readonly [number, number])[];
  /** CSS tone: tone-accent, tone-muted, tone-warm, tone-good. */
  readonly tone: 'accent' | 'muted' | 'warm' | 'good';
  readonly dashed?: boolean;
}

/** A vertical line at `x` with a label, optionally shading a band from `x` to `until`. */
export interface ChartMarker {
  readonly x: number;
  readonly label: string;
  /** End of the shaded band (data units); none: just the line. */
  readonly until?: number;
  /** A band still growing (e.g. "not followed yet") is drawn lighter. */
  readonly open?: boolean;
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Fixed y range (e.g. [0, 1] for rates); otherwise from the data with 0 included. */
  readonly yRange?: readonly [number, number];
  /** Minimum x range, so an empty chart still has an axis. */
  readonly xMin?: number;
  readonly xMax?: number;
  /** Formats y tick labels (default: up to 2 decimals). */
  readonly yFormat?: (y: number) => string;
  /** Whether the y axis starts at 0 when no yRange is given (default true). */
  readonly zeroBased?: boolean;
  /** Vertical markers (events on the x axis), drawn under the lines. */
  readonly markers?: readonly ChartMarker[];
  /** Drawing height in CSS px (default 190). */
  readonly height?: number;
}

const PAD = { left: 50, right: 14, top: 12, bottom: 34 } as const;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(lo: number, hi: number, count = 4): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toFixed(10)));
  return ticks;
}

function extent(spec: ChartSpec): { x: [number, number]; y: [number, number] } {
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = spec.series.flatMap((s) => s.points.map((p) => p[1]));
  const x0 = Math.min(spec.xMin ?? Infinity, ...xs);
  const x1 = Math.max(spec.xMax ?? -Infinity, ...xs);
  const x: [number, number] = Number.isFinite(x0) && x1 > x0 ? [x0, x1] : [0, 1];
  if (spec.yRange) return { x, y: [spec.yRange[0], spec.yRange[1]] };
  if (ys.length === 0) return { x, y: [0, 1] };
  let y0 = spec.zeroBased === false ? Math.min(...ys) : Math.min(0, ...ys);
  let y1 = Math.max(...ys);
  if (y1 - y0 < 1e-6) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const ticks = niceTicks(y0, y1);
  // Widen to the surrounding round ticks so lines never touch the frame.
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 0;
  const lo = spec.zeroBased === false && ticks[0]! > y0 ? ticks[0]! - step : Math.min(ticks[0]!, y0);
  const hi = ticks.at(-1)! < y1 ? ticks.at(-1)! + step : ticks.at(-1)!;
  return { x, y: [Math.min(lo, y0), Math.max(hi, y1)] };
}

// Charts are drawn at their box's real width so text stays at its CSS size;
// one observer redraws them when the layout changes width.
const drawn = new WeakMap<Element, { spec: ChartSpec; width: number }>();
let resizes: ResizeObserver | null = null;

function observe(host: HTMLElement): void {
  resizes ??= new ResizeObserver((entries) => {
    for (const entry of entries) {
      const last = drawn.get(entry.target);
      if (last && Math.abs(entry.contentRect.width - last.width) > 4) renderLineChart(entry.target as HTMLElement, last.spec);
    }
  });
  resizes.observe(host);
}

const MARKER_ROWS = 2;
const MARKER_ROW = 13;
/** Rough width of a marker label at its CSS size (10.5px), px per character. */
const LABEL_CHAR = 6.2;

/** Markers' bands, lines and labels; a label takes the first label row where it does not run into the previous one. */
function drawMarkers(
  root: SVGSVGElement,
  markers: readonly ChartMarker[],
  px: (x: number) => number,
  area: { labels: number; top: number; bottom: number; right: number },
): void {
  const rowEnds = Array.from({ length: MARKER_ROWS }, () => -Infinity);
  for (const m of markers) {
    const x = px(m.x);
    const width = m.label.length * LABEL_CHAR;
    const flip = x + 4 + width > area.right;
    const [from, to] = flip ? [x - 4 - width, x] : [x, x + 4 + width];
    let row = rowEnds.findIndex((end) => end < from);
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = to + 6;
    const labelY = area.labels + MARKER_ROW * row + 9;
    const group = svg('g', { class: `marker${m.open ? ' open' : ''}`, 'data-marker-x': m.x });
    if (m.until !== undefined && m.until > m.x) {
      group.setAttribute('data-band-until', String(m.until));
      group.append(svg('rect', { x, y: area.top, width: px(m.until) - x, height: area.bottom - area.top, class: 'band' }));
    }
    group.append(svg('line', { x1: x, x2: x, y1: labelY - 9, y2: area.bottom, class: 'marker-line' }));
    const label = svg('text', { x: flip ? x - 4 : x + 4, y: labelY, class: 'marker-label', 'text-anchor': flip ? 'end' : 'start' });
    label.textContent = m.label;
    group.append(label);
    root.append(group);
  }
}

/** Renders the chart into `host` (replacing its content): an <svg> and a legend list. */
export function renderLineChart(host: HTMLElement, spec: ChartSpec): void {
  if (!drawn.has(host)) observe(host);
  const W = Math.max(220, Math.round(host.clientWidth || 360));
  const H = spec.height ?? 190;
  // Marker labels get rows of their own above the plot, reserved whenever markers may come, so lines never cross them.
  const pad = { ...PAD, top: PAD.top + (spec.markers ? MARKER_ROWS * MARKER_ROW : 0) };
  drawn.set(host, { spec, width: W });
  const { x, y } = extent(spec);
  const px = (v: number) => pad.left + ((v - x[0]) / (x[1] - x[0])) * (W - pad.left - pad.right);
  const py = (v: number) => H - pad.bottom - ((v - y[0]) / (y[1] - y[0] || 1)) * (H - pad.top - pad.bottom);
  const fmt = spec.yFormat ?? ((v: number) => String(Number(v.toFixed(2))));

  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'chart', role: 'img' });
  const summary = spec.series.map((s) => `${s.label}: ${s.points.length ? fmt(s.points.at(-1)![1]) : 'no data'}`).join('; ');
  const events = (spec.markers ?? []).map((m) => `${m.label} at ${m.x}`).join('; ');
  root.setAttribute('aria-label', `${spec.title}. ${summary}${events ? `. Marked: ${events}` : ''}`);

  for (const t of niceTicks(y[0], y[1])) {
    root.append(svg('line', { x1: pad.left, x2: W - pad.right, y1: py(t), y2: py(t), class: 'grid' }));
    const label = svg('text', { x: pad.left - 6, y: py(t) + 4, class: 'tick', 'text-anchor': 'end' });
    label.textContent = fmt(t);
    root.append(label);
  }
  const xTicks = niceTicks(x[0], x[1], 5).filter((t) => Number.isInteger(t) || x[1] - x[0] < 4);
  for (const t of xTicks) {
    root.append(svg('line', { x1: px(t), x2: px(t), y1: H - pad.bottom, y2: H - pad.bottom + 4, class: 'axis' }));
    const label = svg('text', { x: px(t), y: H - pad.bottom + 15, class: 'tick', 'text-anchor': 'middle' });
    label.textContent = String(t);
    root.append(label);
  }
  root.append(svg('line', { x1: pad.left, x2: W - pad.right, y1: H - pad.bottom, y2: H - pad.bottom, class: 'axis' }));
  root.append(svg('line', { x1: pad.left, x2: pad.left, y1: pad.top, y2: H - pad.bottom, class: 'axis' }));

  const xTitle = svg('text', { x: (pad.left + W - pad.right) / 2, y: H - 4, class: 'axis-title', 'text-anchor': 'middle' });
  xTitle.textContent = spec.xLabel;
  const yTitle = svg('text', { x: 0, y: 0, class: 'axis-title', 'text-anchor': 'middle', transform: `translate(11 ${(pad.top + H - pad.bottom) / 2}) rotate(-90)` });
  yTitle.textContent = spec.yLabel;
  root.append(xTitle, yTitle);

  drawMarkers(root, spec.markers ?? [], px, { labels: PAD.top, top: pad.top, bottom: H - pad.bottom, right: W - pad.right });

  for (const s of spec.series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join('');
    root.append(svg('path', { d, class: `line tone-${s.tone}${s.dashed ? ' dashed' : ''}` }));
    if (s.points.length <= 40) {
      for (const p of s.points) root.append(svg('circle', { cx: px(p[0]), cy: py(p[1]), r: 2.6, class: `dot tone-${s.tone}` }));
    }
  }

  const legend = document.createElement('ul');
  legend.className = 'legend';
  for (const s of spec.series) {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = `swatch tone-${s.tone}${s.dashed ? ' dashed' : ''}`;
    swatch.setAttribute('aria-hidden', 'true');
    li.append(swatch, document.createTextNode(s.label));
    legend.append(li);
  }
  host.replaceChildren(root, legend);
}
