import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

/** Runs one test file in a child Vitest with no shared data; resolves with its exit code and output. */
function runWithoutData(file: string, ci: boolean): Promise<{ code: number; output: string }> {
  const empty = mkdtempSync(join(tmpdir(), 'localrec-no-data-'));
  const env = { ...process.env, LOCALREC_SHARED_DATA: empty, CI: ci ? 'true' : '' };
  return new Promise((done) => {
    execFile(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'unit', file], { cwd: root, env, maxBuffer: 1 << 24 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe('tests that need ../shared/data', () => {
  it('fail under CI when the data is missing: the central claim must not pass by being skipped', async () => {
    const { code, output } = await runWithoutData('tests/unit/train/maml-vs-pretrain.test.ts', true);
    expect(code).not.toBe(0);
    expect(output).toContain('localrec-no-data-');
    expect(output).toContain('CI must provide it');
  });

  it('are skipped elsewhere, with a warning that says what did not run', async () => {
    const { code, output } = await runWithoutData('tests/unit/train/maml-vs-pretrain.test.ts', false);
    expect(code).toBe(0);
    expect(output).toMatch(/SKIPPED: .*MovieLens 100K/);
    expect(output).toContain('under CI (CI=true) this fails instead');
  });
});
