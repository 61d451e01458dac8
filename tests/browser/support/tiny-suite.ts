import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { tinyArtifact } from '../../unit/worker/fixtures/tiny-artifact';
import { startHarness, type Harness } from './harness';

/** What a suite on the tiny fixture model shares: the running harness and the artifact's files. */
export interface TinySuite {
  readonly harness: Harness;
  readonly files: Record<string, Uint8Array>;
}

/**
 * Registers the setup the engine suites share: the tiny fixture artifact
 * (60 items, dim 8, 3 steps) and a harness (Vite server + Chromium), closed
 * after the suite. Read the fields inside tests: they exist once beforeAll ran.
 */
export function useTinySuite(): TinySuite {
  let harness: Harness | undefined;
  let files: Record<string, Uint8Array> | undefined;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    files = await tinyArtifact({ items: 60, dim: 8, steps: 3 });
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTinySuite: read harness and files inside tests, after beforeAll has run.');
    return value;
  };
  return {
    get harness() {
      return ready(harness);
    },
    get files() {
      return ready(files);
    },
  };
}
