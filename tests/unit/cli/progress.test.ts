import { describe, expect, it } from 'vitest';
import { progressRenderer } from '../../../src/cli/progress';

/** A stream that records what it was sent, and a clock the test moves. */
function setup(isTTY: boolean) {
  const out: string[] = [];
  let t = 0;
  const r = progressRenderer({ isTTY, columns: 120, write: (s: string) => out.push(s) }, { now: () => t, time: () => new Date(Date.UTC(2026, 0, 1, 12, 0, 0)), interval: 10_000, redraw: 100 });
  return { r, out, advanceClock: (ms: number) => (t += ms) };
}

describe('training progress', () => {
  it('draws a bar with rate and ETA in place on a terminal, and lifts it for log lines', () => {
    const { r, out, advanceClock } = setup(true);
    r.stage('meta-training', 300, 'batches');
    advanceClock(2000);
    r.advance(20, 'loss 6.4');
    const bar = out.at(-1)!;
    expect(bar.startsWith('\r\x1b[2K[')).toBe(true);
    expect(bar).toContain('meta-training 20/300 batches  10 batches/s  ETA 0:28  loss 6.4');
    r.log('iteration 100');
    expect(out.slice(-3)).toEqual(['\r\x1b[2K', '[train 12:00:00] iteration 100\n', expect.stringContaining('meta-training 20/300')]);
    // Redraws are throttled: a batch 10 ms later is not drawn, the last one always is.
    const before = out.length;
    advanceClock(10);
    r.advance(21);
    expect(out.length).toBe(before);
    r.advance(300);
    expect(out.at(-1)).toContain('300/300 batches');
    expect(out.at(-1)).toContain('done in');
  });

  it('writes plain lines when not a terminal: one per interval and at the end of a stage', () => {
    const { r, out, advanceClock } = setup(false);
    r.stage('ALS start', 4, 'trials');
    advanceClock(1000);
    r.advance(1);
    advanceClock(1000);
    r.advance(2);
    advanceClock(10_000);
    r.advance(3);
    r.advance(4);
    expect(out).toEqual([
      '[train 12:00:00] ALS start 1/4 trials  1.00 trials/s  ETA 0:03\n',
      '[train 12:00:00] ALS start 3/4 trials  0.25 trials/s  ETA 0:04\n',
      '[train 12:00:00] ALS start 4/4 trials  0.33 trials/s  done in 0:12\n',
    ]);
    expect(out.join('')).not.toContain('\x1b');
  });
});
