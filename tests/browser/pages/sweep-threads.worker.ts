// A worker that sweeps one random int8 table with a kernel of its own thread
// and with one sharing the sweep with helper threads (Web Workers over a
// shared WebAssembly memory), and reports how their results compare.
import { int8Kernel } from '../../../src/core/int8-kernel';
import { quantizeRows } from '../../../src/core/int8-rows';
import { createRng } from '../../../src/math/rng';
import { sweepThreads } from '../../../src/worker/sweep-threads';

self.onmessage = async (event: MessageEvent<{ n: number; helpers: number }>) => {
  const { n, helpers } = event.data;
  const dim = 32;
  const rng = createRng(`sweep-threads-${n}`);
  const rows = quantizeRows(Float32Array.from({ length: n * dim }, () => rng.normal() * 0.3), n, dim);
  const bias = Float32Array.from({ length: n }, () => rng.normal());
  const user = Float32Array.from({ length: dim }, () => rng.normal());
  const one = int8Kernel(rows, bias);
  const shared = int8Kernel(rows, bias, { helpers: sweepThreads(helpers) });
  for (let i = 0; i < 250 && shared.threads < 1 + helpers; i++) await new Promise((r) => setTimeout(r, 20));
  const want = one.sweep(user, 0.8, null, true);
  const got = shared.sweep(user, 0.8, null, true);
  let maxDiff = 0;
  for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(got.scores[i]! - want.scores[i]!));
  const threads = shared.threads;
  shared.dispose();
  self.postMessage({
    isolated: self.crossOriginIsolated,
    threads,
    threadsAfterDispose: shared.threads,
    sameScores: got.max === want.max && maxDiff === 0,
    maxDiff,
    zRatio: got.z / want.z,
  });
};
