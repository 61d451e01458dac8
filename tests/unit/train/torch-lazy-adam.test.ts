import { describe, expect, it } from 'vitest';
import { lazyAdamStep, rowAdamState, tfjsAdam, type RowAdamState } from '../../../src/math/lazy-adam';
import { createRng } from '../../../src/math/rng';
import { askTorch, relativeDifference, torchUnavailable } from './torch-bridge';

// Both trainers update a sampled run's item tables with lazy Adam
// (src/math/lazy-adam.ts, trainer/localrec_trainer/math/lazy_adam.py): the same
// rows and gradients for some steps give the same values and moments. PyTorch
// gets each step's gradients as DDP hands them over (catalog-sized, zero off
// the rows) and steps the trainer's LazyAdam class on the rows.
const unavailable = torchUnavailable();
if (unavailable) console.warn(`[torch-lazy-adam] skipped: ${unavailable}`);

const LR = 0.02;
const ROWS = 12;
const WIDTHS = { itemEmb: 3, itemBias: 1 } as const;

interface TorchTables {
  readonly tables: Record<string, { values: number[]; m: number[]; v: number[] }>;
}

describe.skipIf(unavailable !== null)(`TypeScript and PyTorch agree on lazy Adam's steps (${unavailable ?? 'torch found'})`, () => {
  it('on every row\'s values and moments after five steps on overlapping row sets', async () => {
    const rng = createRng('torch-lazy-adam');
    const tables: Record<string, RowAdamState> = {};
    const start: Record<string, { values: number[]; width: number }> = {};
    for (const [name, width] of Object.entries(WIDTHS)) {
      const values = Float32Array.from({ length: ROWS * width }, () => rng.next() - 0.5);
      start[name] = { values: Array.from(values), width };
      tables[name] = rowAdamState(values.slice(), width);
    }
    const steps: { ids: number[]; grads: Record<string, number[]> }[] = [];
    for (let t = 1; t <= 5; t++) {
      // A new candidate set each step, always leaving rows 10 and 11 out.
      const ids = Array.from({ length: 10 }, (_, i) => i).filter(() => rng.next() < 0.6);
      const grads: Record<string, number[]> = {};
      for (const [name, width] of Object.entries(WIDTHS)) {
        const g = Float32Array.from({ length: ids.length * width }, () => (rng.next() - 0.5) * 10 ** (rng.int(4) - 2));
        grads[name] = Array.from(g);
        lazyAdamStep(tables[name]!, ids, g, t, tfjsAdam(LR));
      }
      steps.push({ ids, grads });
    }
    const theirs = await askTorch<TorchTables>({ kind: 'lazyAdam', lr: LR, tables: start, steps });
    for (const name of Object.keys(WIDTHS)) {
      const ours = tables[name]!;
      for (const part of ['values', 'm', 'v'] as const) {
        expect(relativeDifference(ours[part], theirs.tables[name]![part]), `${name} ${part}`).toBeLessThan(1e-5);
      }
      // Rows 10 and 11 were never stepped: their start values, zero moments, on both sides.
      const width = ours.width;
      expect(theirs.tables[name]!.values.slice(10 * width)).toEqual(start[name]!.values.slice(10 * width));
      expect(Array.from(ours.values.subarray(10 * width))).toEqual(start[name]!.values.slice(10 * width));
      expect(theirs.tables[name]!.m.slice(10 * width).every((x) => x === 0)).toBe(true);
    }
  });
});
