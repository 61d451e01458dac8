import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { torchUnavailable } from '../train/torch-bridge';

// `npm run train:dist --max-minutes M` is one clock from the command's start: the data step
// counts, and every rank gets the same absolute deadline (real torchrun processes, gloo).
const root = resolve(__dirname, '../../..');
const run = promisify(execFile);
const unavailable = torchUnavailable();
if (unavailable) console.warn(`[train-dist-budget] skipped: ${unavailable}`);

vi.setConfig({ testTimeout: 600_000 });

const WORLD = ['--format', 'synthetic', '--seed', '3', '--world-items', '200', '--world-users', '300', '--min-positives', '10'];

describe.skipIf(unavailable !== null)(`npm run train:dist --max-minutes (${unavailable ?? 'torch found'})`, () => {
  it('hands both ranks one deadline, counted from the command start, data step included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'localrec-budget-'));
    const report = join(dir, 'run.json');
    const before = Date.now();
    const { stderr } = await run(
      process.execPath,
      [join(root, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/train-dist.ts', ...WORLD, '--nproc', '2', '--iterations', '4', '--pretrain-iterations', '4', '--validate-every', '2', '--max-minutes', '30', '--out', join(dir, 'model'), '--report', report],
      { cwd: root, maxBuffer: 1 << 26 },
    );
    const after = Date.now();
    const measured = JSON.parse(readFileSync(report, 'utf8')) as { deadline: number; rankDeadlines: number[]; seconds: number; prepareSeconds: number; wallSeconds: number; processes: number; stoppedEarly: unknown[] };
    expect(measured.processes).toBe(2);
    // The deadline is the command's start + 30 min (ms precision), and it is what each rank was handed.
    const deadlineMs = measured.deadline * 1000;
    expect(deadlineMs).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1);
    expect(deadlineMs).toBeLessThanOrEqual(after + 30 * 60_000);
    expect(deadlineMs - 30 * 60_000).toBeLessThan(before + (after - before) / 2); // set at the start, not after the data step
    expect(measured.rankDeadlines).toEqual([measured.deadline, measured.deadline]);
    // The trainer's budget clock started with the command: its seconds include the data step's.
    expect(measured.seconds).toBeGreaterThanOrEqual(measured.prepareSeconds);
    expect(measured.stoppedEarly).toEqual([]);
    expect(stderr).toMatch(/time budget: 30 min from the command's start, 2\d\.\d min left \(ends \d\d:\d\d:\d\d UTC on every rank\)/);
  });
});
