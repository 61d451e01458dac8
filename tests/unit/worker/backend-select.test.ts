import { describe, expect, it } from 'vitest';
import { chooseBackend, fallbackBackend, GOOD_ENOUGH_MS, GPU_PROBE_ITEMS, PROBE_RUNS, type SelectionEnv } from '../../../src/backend/select';
import type { BackendName } from '../../../src/backend/names';

/** A fake world: which backends initialise, and how long the probe takes on each (ms of fake clock). */
function world(costs: Partial<Record<BackendName, number>>) {
  let clock = 0;
  let active: BackendName | null = null;
  const activations: BackendName[] = [];
  const env: SelectionEnv = {
    now: () => clock,
    async activate(name) {
      if (costs[name] === undefined) throw new Error(`Backend "${name}" is not available: not in this fake.`);
      active = name;
      activations.push(name);
    },
  };
  const probe = async () => {
    clock += costs[active!]!;
  };
  return { env, probe, activations, active: () => active };
}

describe('chooseBackend', () => {
  it('for a model that runs on host backends only (format v2), tries only those and refuses an explicit GPU backend with the reason', async () => {
    const model = { only: ['wasm', 'cpu'] as BackendName[], why: 'its item table is int8' };
    const w = world({ webgpu: 1, wasm: 30, cpu: 20 });
    const choice = await chooseBackend('auto', w.probe, 10_000, w.env, model);
    expect(choice.backend).toBe('cpu');
    expect(choice.timings.map((t) => t.name)).toEqual(['wasm', 'cpu']);
    await expect(chooseBackend('webgpu', w.probe, 10_000, w.env, model)).rejects.toThrow('backend "webgpu" cannot run this model: its item table is int8. Use backend "auto" or one of wasm, cpu.');
    expect((await fallbackBackend('wasm', w.probe, 10_000, w.env, model)).backend).toBe('cpu');
  });

  it('tries the backends a model names for auto, in its order: an int8 model never starts wasm, which runs the same host kernel as cpu', async () => {
    const model = { only: ['webgpu', 'wasm', 'cpu'] as BackendName[], auto: ['cpu', 'webgpu'] as BackendName[], why: 'its item table is int8' };
    const w = world({ webgpu: 30, wasm: 1, cpu: 20 });
    const choice = await chooseBackend('auto', w.probe, 10_000, w.env, model);
    expect(choice.backend).toBe('cpu');
    expect(choice.timings.map((t) => [t.name, t.ms])).toEqual([
      ['cpu', 20],
      ['webgpu', 30],
    ]);
    expect(w.activations).not.toContain('wasm');
    // Asked for by name, wasm still runs it; after a lost device, auto's list minus the lost backend.
    expect((await chooseBackend('wasm', w.probe, 10_000, w.env, model)).backend).toBe('wasm');
    const after = await fallbackBackend('webgpu', w.probe, 10_000, w.env, model);
    expect(after.timings.map((t) => t.name)).toEqual(['cpu']);
  });

  it('auto keeps the fastest backend that works and reports every timing', async () => {
    const w = world({ webgpu: 30, wasm: 10, cpu: 50 });
    const choice = await chooseBackend('auto', w.probe, 10_000, w.env);
    expect(choice.backend).toBe('wasm');
    expect(w.active()).toBe('wasm');
    expect(choice.timings.map((t) => [t.name, t.ms])).toEqual([
      ['wasm', 10],
      ['webgpu', 30],
      ['webgl', null],
      ['cpu', 50],
    ]);
    expect(choice.timings[2]!.error).toContain('not in this fake');
    expect(choice.reason).toContain('"wasm" was fastest (10.0 ms');
  });

  it('stops at the first backend under the good-enough time, before any GPU shader compiles', async () => {
    const w = world({ webgpu: 1, webgl: 1, wasm: 2, cpu: 1 });
    const choice = await chooseBackend('auto', w.probe, 10_000, w.env);
    expect(choice.backend).toBe('wasm');
    expect(w.activations).toEqual(['wasm', 'wasm']);
    expect(choice.timings.map((t) => [t.name, t.ms])).toEqual([
      ['wasm', 2],
      ['webgpu', null],
      ['webgl', null],
      ['cpu', null],
    ]);
    expect(choice.timings[1]!.error).toBe(`skipped: "wasm" already adapts and ranks in 2.0 ms, under the ${GOOD_ENOUGH_MS} ms a GPU's dispatch and readback cost`);
    expect(choice.reason).toBe(`"wasm" adapts and ranks in 2.0 ms, under ${GOOD_ENOUGH_MS} ms: no other backend was tried.`);
  });

  it('tries the GPU when wasm is slow, until the budget is spent', async () => {
    const w = world({ webgpu: 400, webgl: 400, wasm: 20, cpu: 1 });
    const choice = await chooseBackend('auto', w.probe, 500, w.env);
    // wasm 2 × 20 ms, webgpu 2 × 400 ms: the budget is gone before webgl and cpu
    expect(choice.backend).toBe('wasm');
    expect(choice.timings.map((t) => [t.name, t.ms])).toEqual([
      ['wasm', 20],
      ['webgpu', 400],
      ['webgl', null],
      ['cpu', null],
    ]);
    expect(choice.timings[2]!.error).toContain('500 ms selection budget');
    expect(choice.timings[3]!.error).toContain('500 ms selection budget');
  });

  it('counts the budget from the first working backend: building the model (the first probe) does not use it up', async () => {
    const w = world({ webgpu: 30, wasm: 20 });
    let built = false;
    const probe = async () => {
      // The model is built on the first probe, whichever backend runs it: 400 probes' worth (8 s of fake clock).
      if (!built) for (let i = 0; i < 400; i++) await w.probe();
      built = true;
      await w.probe();
    };
    const choice = await chooseBackend('auto', probe, 6_000, w.env);
    expect(choice.timings.map((t) => [t.name, t.ms])).toEqual([
      ['wasm', 20],
      ['webgpu', 30],
      ['webgl', null],
      ['cpu', null],
    ]);
    expect(choice.timings[2]!.error).toContain('not in this fake');
    expect(choice.backend).toBe('wasm');
  });

  it(`keeps the fastest of ${PROBE_RUNS} timed probes: one slow sample on a busy machine does not decide`, async () => {
    const w = world({ webgpu: 30, wasm: 10 });
    let calls = 0;
    // wasm's warm-up, then its first timed probe is slowed by another job (+90 ms); the rest are not.
    const probe = async () => {
      await w.probe();
      if (++calls === 2) for (let i = 0; i < 9; i++) await w.probe();
    };
    const choice = await chooseBackend('auto', probe, 10_000, w.env);
    expect(choice.timings.slice(0, 2).map((t) => [t.name, t.ms])).toEqual([
      ['wasm', 10],
      ['webgpu', 30],
    ]);
    expect(choice.backend).toBe('wasm');
  });

  it('falls through to the GPU and cpu when wasm does not initialise (e.g. a CSP without wasm-unsafe-eval)', async () => {
    const w = world({ webgpu: 30, cpu: 3 });
    const choice = await chooseBackend('auto', w.probe, 10_000, w.env);
    expect(choice.backend).toBe('cpu');
    expect(choice.timings.map((t) => [t.name, t.ms])).toEqual([
      ['wasm', null],
      ['webgpu', 30],
      ['webgl', null],
      ['cpu', 3],
    ]);
  });

  it('honours an explicit backend and fails clearly when it is missing', async () => {
    const w = world({ cpu: 5 });
    expect((await chooseBackend('cpu', w.probe, 0, w.env)).backend).toBe('cpu');
    await expect(chooseBackend('webgpu', w.probe, 0, w.env)).rejects.toThrow(
      'Backend "webgpu" is not available: not in this fake. Use backend: "auto" to fall back.',
    );
  });

  it('throws listing every reason when nothing works', async () => {
    const w = world({});
    await expect(chooseBackend('auto', w.probe, 100, w.env)).rejects.toThrow(/No tfjs backend works here: wasm: .*webgpu: .*cpu: /);
  });
});

describe('chooseBackend on a large catalog', () => {
  const large = (w: ReturnType<typeof world>, items: number): SelectionEnv => ({ ...w.env, catalogItems: () => items, label: (n) => (n === 'webgpu' ? '"webgpu" (WGSL kernel)' : `"${n}"`) });

  it(`times "webgpu" from ${GPU_PROBE_ITEMS} items on even when wasm is under the good-enough time, and keeps the faster`, async () => {
    const w = world({ webgpu: 3, webgl: 1, wasm: 5, cpu: 1 });
    const choice = await chooseBackend('auto', w.probe, 10_000, large(w, GPU_PROBE_ITEMS));
    expect(choice.backend).toBe('webgpu');
    expect(choice.timings.map((t) => [t.name, t.ms])).toEqual([
      ['wasm', 5],
      ['webgpu', 3],
      ['webgl', null],
      ['cpu', null],
    ]);
    expect(choice.reason).toBe(
      `"webgpu" (WGSL kernel) was fastest at 100,000 items (3.0 ms per adaptation + ranking; "wasm" 5.0 ms); "webgpu" was timed too, as catalogs from 100,000 items may click faster on a GPU.`,
    );
  });

  it('keeps wasm when the GPU it timed is slower, and says what both measured', async () => {
    const w = world({ webgpu: 190, wasm: 6 });
    const choice = await chooseBackend('auto', w.probe, 10_000, large(w, 250_000));
    expect(choice.backend).toBe('wasm');
    expect(w.active()).toBe('wasm');
    expect(choice.reason).toContain('"wasm" was fastest at 250,000 items (6.0 ms per adaptation + ranking; "webgpu" (WGSL kernel) 190.0 ms)');
  });

  it(`below ${GPU_PROBE_ITEMS} items a fast wasm still ends the search before any GPU`, async () => {
    const w = world({ webgpu: 1, wasm: 5 });
    const choice = await chooseBackend('auto', w.probe, 10_000, large(w, GPU_PROBE_ITEMS - 1));
    expect(choice.backend).toBe('wasm');
    expect(choice.timings[1]).toMatchObject({ name: 'webgpu', ms: null, error: expect.stringContaining('skipped: "wasm" already adapts and ranks in 5.0 ms') });
  });
});

describe('chooseBackend when the probe fails', () => {
  it('reports one failure shared by every backend once', async () => {
    const w = world({ webgpu: 1, webgl: 1, wasm: 1, cpu: 1 });
    const broken = async () => {
      throw new Error('Weight "x" is missing.');
    };
    await expect(chooseBackend('auto', broken, 100, w.env)).rejects.toThrow('Every tfjs backend failed the same way: Weight "x" is missing.');
  });
});

describe('fallbackBackend', () => {
  it('times the other backends as auto does and moves to the fastest, not the next in a list', async () => {
    const w = world({ webgpu: 1, webgl: 120, wasm: 20, cpu: 50 });
    const choice = await fallbackBackend('webgpu', w.probe, 10_000, w.env);
    expect(choice.timings.map((t) => [t.name, t.ms])).toEqual([
      ['wasm', 20],
      ['webgl', 120],
      ['cpu', 50],
    ]);
    expect(choice.backend).toBe('wasm');
    expect(w.active()).toBe('wasm');
  });

  it('stops at a backend under the good-enough time', async () => {
    const w = world({ webgpu: 1, webgl: 120, wasm: 1, cpu: 50 });
    const choice = await fallbackBackend('webgpu', w.probe, 10_000, w.env);
    expect(choice.backend).toBe('wasm');
    expect(w.activations).toEqual(['wasm', 'wasm']);
  });

  it('says so when no other backend works', async () => {
    const w = world({ webgpu: 1 });
    await expect(fallbackBackend('webgpu', w.probe, 10_000, w.env)).rejects.toThrow('No backend to fall back to after "webgpu" failed: No tfjs backend works here: wasm:');
  });
});
