import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestFunction } from 'vitest';

// The real datasets live beside the project, never inside it (redistribution
// terms): ../shared/data. CI has them, so there a test that needs them fails
// when they are missing; elsewhere it is skipped with a warning that says
// what did not run.

const projectRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** The shared data folder: $LOCALREC_SHARED_DATA, else ../shared/data from the project. */
export const SHARED_DATA = process.env.LOCALREC_SHARED_DATA || resolve(projectRoot, '../shared/data');

/** A dataset folder of the shared data, and whether `file` (a file every copy has) is there. */
export function realData(folder: string, file: string): { readonly dir: string; readonly present: boolean } {
  const dir = resolve(SHARED_DATA, folder);
  return { dir, present: existsSync(resolve(dir, file)) };
}

/** True when the tests run in CI (`CI` set to anything but "" or "false"), where missing data is a failure. */
export function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false';
}

/**
 * `describe` for tests that need a real dataset: when it is absent they fail
 * under CI (a skipped central claim is not a pass) and are skipped elsewhere
 * with a warning naming the missing file and what it checks.
 */
export function describeWithData(data: { readonly dir: string; readonly present: boolean }, name: string, body: () => void): void {
  if (data.present) {
    describe(name, body);
    return;
  }
  const missing = `${data.dir} is missing (no shared data folder at ${SHARED_DATA})`;
  if (inCi()) {
    describe(name, () => {
      it('has its data', () => {
        throw new Error(`${missing}. CI must provide it: these tests check claims the README makes.`);
      });
    });
    return;
  }
  console.warn(`\n${'!'.repeat(78)}\n!! SKIPPED: ${name}\n!! ${missing}.\n!! Put the datasets there to run it; under CI (CI=true) this fails instead.\n${'!'.repeat(78)}\n`);
  describe.skip(name, body);
}

/** `it` for one test that needs a real dataset, with describeWithData's rule. */
export function itWithData(data: { readonly dir: string; readonly present: boolean }, name: string, fn: TestFunction, timeout?: number): void {
  if (data.present) {
    it(name, fn, timeout);
    return;
  }
  const missing = `${data.dir} is missing (no shared data folder at ${SHARED_DATA})`;
  if (inCi()) {
    it(name, () => {
      throw new Error(`${missing}. CI must provide it: this test checks a claim the README makes.`);
    });
    return;
  }
  console.warn(`\n${'!'.repeat(78)}\n!! SKIPPED: ${name}\n!! ${missing}.\n!! Put the datasets there to run it; under CI (CI=true) this fails instead.\n${'!'.repeat(78)}\n`);
  it.skip(name, fn, timeout);
}
