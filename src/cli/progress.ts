/**
 * A progress line for long command-line work: on a terminal, one line redrawn
 * in place with a bar, the count, the rate and the time left; in a log (not a
 * terminal), a plain line when a stage starts and when it ends.
 */

export interface Progress {
  /** Reports `done` of `total` `unit`s of `stage` (a new stage name starts a new line). */
  update(stage: string, done: number, total: number, unit?: string): void;
  /** Ends the current line. */
  finish(): void;
}

const WIDTH = 24;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  return seconds < 60 ? `${seconds.toFixed(seconds < 10 ? 1 : 0)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** A progress line on `stream` (default stderr), prefixed with `label`. */
export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY);
  let stage = '';
  let started = 0;
  let lastDraw = 0;
  let line = '';
  const end = (): void => {
    if (stage && tty) stream.write('\n');
    else if (stage) stream.write(`${line}\n`);
    stage = '';
  };
  return {
    update(name, done, total, unit = 'items') {
      const now = performance.now();
      if (name !== stage) {
        end();
        stage = name;
        started = now;
        if (!tty) stream.write(`[${label}] ${name}: ${total.toLocaleString('en-US')} ${unit}\n`);
      }
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const left = rate > 0 ? (total - done) / rate : Infinity;
      const filled = total > 0 ? Math.round((WIDTH * done) / total) : WIDTH;
      line =
        `[${label}] ${name} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ` +
        `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit}` +
        (done >= total ? ` in ${duration(seconds)}` : `  ${Math.round(rate).toLocaleString('en-US')}/s  ETA ${duration(left)}`);
      // Redraw at most ~10 times a second, and always at the end of a stage.
      if (tty && (now - lastDraw > 100 || done >= total)) {
        stream.write(`\r${line}\x1b[K`);
        lastDraw = now;
      }
    },
    finish: end,
  };
}
