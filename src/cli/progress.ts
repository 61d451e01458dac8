// The one module that writes training progress: on a terminal a bar with
// rate and ETA, redrawn in place; otherwise (a log file, a pipe, CI) plain
// timestamped lines, one per stage end and at most one per `interval` between.
import type { TrainReporter } from '../train/progress';

/** Where progress goes: a stream and whether it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Clock, ms (default performance.now). */
  readonly now?: () => number;
  /** Wall clock for the lines' timestamps (default Date). */
  readonly time?: () => Date;
  /** Plain mode: ms between progress lines within a stage (default 15 s). */
  readonly interval?: number;
  /** Terminal mode: ms between redraws (default 100). */
  readonly redraw?: number;
  /** The command named in each line, `[train 12:00:00] …` (default "train"). */
  readonly label?: string;
}

/** A reporter that renders to `stream`, plus `log` for the command's own lines (they never tear the bar). */
export function progressRenderer(stream: ProgressStream, options: ProgressOptions = {}): TrainReporter & { log(line: string): void; finish(): void } {
  const now = options.now ?? (() => performance.now());
  const time = options.time ?? (() => new Date());
  const tty = stream.isTTY === true;
  const label = options.label ?? 'train';
  const every = tty ? (options.redraw ?? 100) : (options.interval ?? 15_000);
  let stage: { name: string; total: number; unit: string; started: number; done: number; detail: string } | undefined;
  let shown = -Infinity;
  let barOnScreen = false;
  const stamp = (): string => time().toISOString().slice(11, 19);
  const clearBar = (): void => {
    if (barOnScreen) stream.write('\r\x1b[2K');
    barOnScreen = false;
  };
  const draw = (force: boolean): void => {
    if (!stage || (!force && now() - shown < every)) return;
    shown = now();
    const text = describe(stage, now());
    if (tty) {
      const width = Math.max(20, (stream.columns ?? 100) - 1);
      stream.write(`\r\x1b[2K${bar(stage, width, text)}`);
      barOnScreen = true;
    } else stream.write(`[${label} ${stamp()}] ${text}\n`);
  };
  const line = (text: string): void => {
    clearBar();
    stream.write(`[${label} ${stamp()}] ${text}\n`);
    // A terminal gets its bar back under the line; a log already has the stage's last line.
    if (tty) draw(true);
  };
  return {
    stage(name, total, unit) {
      if (stage && stage.done < stage.total && !tty) draw(true);
      clearBar();
      stage = { name, total: Math.max(0, total), unit, started: now(), done: 0, detail: '' };
      shown = -Infinity;
    },
    advance(done, detail) {
      if (!stage || (stage.done >= stage.total && done >= stage.total)) return;
      stage.done = Math.min(done, stage.total);
      if (detail !== undefined) stage.detail = detail;
      draw(stage.done >= stage.total);
    },
    note: line,
    log: line,
    finish() {
      clearBar();
      stage = undefined;
    },
  };
}

/** `name 120/300 batches  14.2 batches/s  ETA 0:13  detail` */
function describe(s: { name: string; total: number; unit: string; started: number; done: number; detail: string }, at: number): string {
  const seconds = (at - s.started) / 1000;
  const rate = seconds > 0 ? s.done / seconds : 0;
  const eta = s.done >= s.total ? `done in ${clock(seconds)}` : rate > 0 ? `ETA ${clock((s.total - s.done) / rate)}` : 'ETA --:--';
  const per = rate >= 10 ? rate.toFixed(0) : rate.toFixed(2);
  return `${s.name} ${s.done.toLocaleString('en-US')}/${s.total.toLocaleString('en-US')} ${s.unit}  ${per} ${s.unit}/s  ${eta}${s.detail ? `  ${s.detail}` : ''}`;
}

/** A bar of `#` and `.` before the description, within `width` columns. */
function bar(s: { total: number; done: number }, width: number, text: string): string {
  const cells = Math.max(10, Math.min(30, width - text.length - 3));
  const filled = s.total > 0 ? Math.round((cells * s.done) / s.total) : cells;
  return `[${'#'.repeat(filled)}${'.'.repeat(cells - filled)}] ${text}`.slice(0, width);
}

/** h:mm:ss or m:ss. */
function clock(seconds: number): string {
  const t = Math.max(0, Math.round(seconds));
  const [h, m, s] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** Progress of a command with named stages of known size, as `update(stage, done, total)` calls report it. */
export interface Progress {
  /** Reports `done` of `total` `unit`s of `stage` (a new stage name starts a new bar). */
  update(stage: string, done: number, total: number, unit?: string): void;
  /** Ends the current bar. */
  finish(): void;
}

/** The renderer above, driven by `update` calls (conversion, encoding, benchmarks), on stderr. */
export function createProgress(label: string, stream: ProgressStream = process.stderr): Progress {
  const renderer = progressRenderer(stream, { label });
  let current: string | undefined;
  return {
    update(stage, done, total, unit = 'items') {
      if (stage !== current) {
        renderer.stage(stage, total, unit);
        current = stage;
      }
      renderer.advance(done);
    },
    finish() {
      renderer.finish();
      current = undefined;
    },
  };
}
