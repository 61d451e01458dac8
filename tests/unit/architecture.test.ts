import { describe, expect, it } from 'vitest';
import { checkImports, findCycles, importGraph, type ImportGraph } from '../../scripts/check-imports';

const graph = (edges: Record<string, string[]>): ImportGraph => ({ edges: new Map(Object.entries(edges)) });

describe('the import rules of src/ (npm run check:imports)', () => {
  it('hold: no circle, the benchmark imported only by eval/ and cli/, every folder importing only its lower layers', () => {
    const src = importGraph();
    expect(src.edges.size).toBeGreaterThan(100);
    expect(checkImports(src)).toEqual([]);
  });

  it('can fail: a circle, a library importing the benchmark, an upward import, an unknown folder', () => {
    const problems = checkImports(
      graph({
        'src/core/a.ts': ['src/core/b.ts'],
        'src/core/b.ts': ['src/core/a.ts'],
        'src/train/t.ts': ['src/eval/harness.ts'],
        'src/eval/harness.ts': [],
        'src/math/m.ts': ['src/core/a.ts'],
        'src/mystery/x.ts': [],
      }),
    );
    expect(problems).toEqual([
      'import circle: src/core/a.ts → src/core/b.ts → src/core/a.ts',
      'src/train/t.ts imports src/eval/harness.ts: src/eval/ may be imported only by src/eval/, src/cli/ (and bench/).',
      'src/math/m.ts imports src/core/a.ts: src/math may import only itself.',
      'src/mystery/x.ts: src/mystery is not in LAYERS (scripts/check-imports.ts): add it with the layers it may import.',
    ]);
  });

  it('names one whole circle through a longer loop', () => {
    const cycles = findCycles(graph({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts', 'd.ts'], 'd.ts': [] }));
    expect(cycles).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });
});
