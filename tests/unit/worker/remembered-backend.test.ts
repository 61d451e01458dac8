import { describe, expect, it } from 'vitest';
import type { BackendPreference } from '../../../src/backend/names';
import { ANY_BACKEND, type BackendChoice } from '../../../src/backend/select';
import type { RememberedBackend } from '../../../src/storage/schema';
import { chooseWithMemory } from '../../../src/worker/remembered-backend';

const timed: BackendChoice = { backend: 'webgpu', timings: [{ name: 'wasm', ms: 30 }, { name: 'webgpu', ms: 9 }], reason: '"webgpu" was fastest.' };

function world(works: (p: BackendPreference) => boolean) {
  const asked: BackendPreference[] = [];
  const stored: RememberedBackend[] = [];
  const select = async (p: BackendPreference): Promise<BackendChoice> => {
    asked.push(p);
    if (!works(p)) throw new Error(`Backend "${p}" is not available.`);
    return p === 'auto' ? timed : { backend: p, timings: [{ name: p, ms: 1 }], reason: `"${p}" was requested explicitly.` };
  };
  return { asked, stored, select, remember: (c: RememberedBackend) => void stored.push(c) };
}

describe('chooseWithMemory', () => {
  it('times every backend once and remembers what auto chose; the next start activates it directly', async () => {
    const w = world(() => true);
    const first = await chooseWithMemory({ preference: 'auto', remembered: undefined, backends: ANY_BACKEND, ...w });
    expect(first).toBe(timed);
    expect(w.stored).toEqual([{ backend: 'webgpu', reason: timed.reason, timings: timed.timings, at: expect.any(Number) }]);
    const again = await chooseWithMemory({ preference: 'auto', remembered: { ...w.stored[0]!, at: Date.UTC(2026, 11, 1) }, backends: ANY_BACKEND, ...w });
    expect(w.asked).toEqual(['auto', 'webgpu']);
    expect(again.backend).toBe('webgpu');
    expect(again.timings).toEqual(timed.timings);
    expect(again.reason).toBe('"webgpu" was fastest: measured when this model version first started on this device (2026-12-01), and kept.');
    expect(w.stored).toHaveLength(1);
  });

  it('times them all again when the remembered backend no longer works or cannot run the model, and never overrides an explicit preference', async () => {
    const gone = world((p) => p !== 'webgpu');
    const remembered = { backend: 'webgpu', reason: 'x', timings: [], at: 0 };
    expect(await chooseWithMemory({ preference: 'auto', remembered, backends: ANY_BACKEND, ...gone })).toBe(timed);
    expect(gone.asked).toEqual(['webgpu', 'auto']);
    const int8 = world(() => true);
    await chooseWithMemory({ preference: 'auto', remembered, backends: { only: ['cpu', 'wasm'], why: 'int8' }, ...int8 });
    expect(int8.asked).toEqual(['auto']);
    const explicit = world(() => true);
    expect((await chooseWithMemory({ preference: 'cpu', remembered, backends: ANY_BACKEND, ...explicit })).backend).toBe('cpu');
    expect([explicit.asked, explicit.stored]).toEqual([['cpu'], []]);
  });
});
