// `npx tsx bench/meta-scoring.ts [--items 17632] [--users 640] [--history 25]`
//
// What scoring test or validation users costs the neural method, per user, on
// a catalog of Last.fm's size with random parameters: the batched tfjs path the
// trainer validates with (train/episodes adaptedScores, 64 users per chunk),
// the same path one user per call (the eval's v1 episodes), and the host kernel
// the worker runs on cpu/wasm (core/adapt with kernel 'host', one user at a time).
// CPU seconds (process.cpuUsage) and wall ms per user; the largest score
// difference between the paths.
import { parseFlags } from '../src/cli/flags';
import { useNodeBackend } from '../src/cli/node-backend';
import { contentFeatures, itemInputs } from '../src/core/features';
import { initParams } from '../src/core/params';
import { createRng } from '../src/math/rng';
import { adaptedScoresWith, disposeScoringTable, scoringTable } from '../src/train/episodes';
import { adapt } from '../src/core/adapt';
import { initialState, scoreAll } from '../src/core/kernels';
import type { MetaParams } from '../src/core/params';
import { disposeState } from '../src/core/state';
import type { AdaptModel, Neighbours } from '../src/core/types';
import type { ItemLists, ScoringTable } from '../src/train/episodes';

const NO_IMPRESSIONS = new Int32Array(0);

/** The model the click path adapts with: trained parameters over a table built once (train/episodes scoringTable). */
function adaptModel(params: MetaParams, table: ScoringTable, lists: ItemLists = {}): AdaptModel {
  return { params, items: table.items, decay: table.decay, ...(lists.neighbours ? { neighbours: lists.neighbours } : {}), ...(lists.transitions ? { transitions: lists.transitions } : {}) };
}

/**
 * Full-catalog scores of each support after `steps` steps of the runtime's own
 * adaptation (initialState, adapt, scoreAll: what the worker runs after a click,
 * without impressions): `out[s][u]` with `keepSteps` 'all' for s = 0..steps, else
 * `out[0][u]` after the last. The same math as adaptedScores (tests/unit/core/
 * runtime-vs-training.test.ts), one catalog sweep per step instead of ~30 tfjs
 * operations on [users × items] tensors. Needs a host-memory backend (cpu, wasm).
 */
async function hostAdaptedScores(
  params: MetaParams,
  table: ScoringTable,
  supports: readonly Int32Array[],
  steps: number,
  lists: ItemLists = {},
  keepSteps: 'last' | 'all' = 'last',
): Promise<Float32Array[][]> {
  const model = adaptModel(params, table, lists);
  const counts = keepSteps === 'all' ? Array.from({ length: steps + 1 }, (_, s) => s) : [steps];
  const out: Float32Array[][] = counts.map(() => []);
  for (const clicks of supports) {
    const start = initialState(model, clicks, 'host');
    try {
      for (const [i, s] of counts.entries()) {
        const run = await adapt(model, start, { clicks, negatives: NO_IMPRESSIONS }, { steps: s, kernel: 'host' });
        out[i]!.push(await scoreAll(model.items, run.state, 'host'));
        disposeState(run.state);
      }
    } finally {
      disposeState(start);
    }
  }
  return out;
}

const flags = parseFlags(process.argv.slice(2), {
  items: { kind: 'number', example: '17632', min: 10, max: 1_000_000, integer: true },
  users: { kind: 'number', example: '640', min: 1, max: 100_000, integer: true },
  history: { kind: 'number', example: '25', min: 1, max: 1000, integer: true },
});
const items = flags.items ?? 17632;
const users = flags.users ?? 640;
await useNodeBackend('wasm');
const rng = createRng('meta-scoring');
const lists = (m: number): Neighbours => {
  const ids = new Int32Array(items * m);
  const sims = new Float32Array(items * m);
  for (let i = 0; i < items * m; i++) [ids[i], sims[i]] = [rng.int(items), rng.next()];
  return { m, ids, sims };
};
const params = initParams({ items, features: 1, dim: 32 }, { seed: 1, scale: 0.3, innerLr: 0.1, decay: 0.8, seqInit: 1 });
const inputs = itemInputs(contentFeatures(Array.from({ length: items }, () => []), ['(all items)']), new Float32Array(items).fill(1), Float32Array.from({ length: items }, () => rng.next() * 3));
const model = { neighbours: lists(50), transitions: lists(20) };
const supports = Array.from({ length: users }, () => Int32Array.from({ length: 1 + rng.int(flags.history ?? 25) }, () => rng.int(items)));
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const table = await scoringTable(params, inputs);
const timed = async (name: string, run: () => Promise<Float32Array[]>): Promise<Float32Array[]> => {
  const [c0, w0] = [cpu(), performance.now()];
  const out = await run();
  const [c, w] = [cpu() - c0, performance.now() - w0];
  process.stdout.write(`${name.padEnd(28)} ${c.toFixed(2).padStart(7)} cpu-s  ${(w / users).toFixed(2).padStart(7)} ms/user\n`);
  return out;
};
const batched = await timed('tfjs, 64 users per chunk', async () => (await adaptedScoresWith(table, params, supports, 2, 'last', model))[0]!);
const single = await timed('tfjs, one user per call', async () => {
  const out: Float32Array[] = [];
  for (const s of supports) out.push((await adaptedScoresWith(table, params, [s], 2, 'last', model))[0]![0]!);
  return out;
});
const host = await timed('host kernel, one user', async () => (await hostAdaptedScores(params, table, supports, 2, model))[0]!);
let worst = 0;
let worstSingle = 0;
batched.forEach((b, u) => {
  for (let i = 0; i < items; i++) {
    worst = Math.max(worst, Math.abs(b[i]! - host[u]![i]!));
    worstSingle = Math.max(worstSingle, Math.abs(b[i]! - single[u]![i]!));
  }
});
process.stdout.write(`largest |score| difference: batched vs one per call ${worstSingle.toExponential(2)}, batched vs host ${worst.toExponential(2)}\n`);
disposeScoringTable(table);
