// What the code says about itself must stay true: the doc comments a user
// reads in their editor, and what the public entry points export.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as core from '../../src/core/index';
import * as embedProtocol from '../../src/embed/protocol';
import { GOOD_ENOUGH_MS } from '../../src/backend/select';
import { buildNeighbours } from '../../src/train/neighbours';

const source = (path: string) => readFileSync(resolve(__dirname, '../../src', path), 'utf8');

/** The doc comment right above `name` in `text` (a declaration or a property). */
function docOf(text: string, name: string): string {
  const at = text.search(new RegExp(`\\n\\s*(readonly )?${name}\\??:|\\n(export )?(interface|type|function|const) ${name}\\b`));
  expect(at, `${name} not found`).toBeGreaterThan(0);
  const before = text.slice(0, at);
  return before.slice(before.lastIndexOf('/**'));
}

describe('the doc comments', () => {
  it("state auto's real rule: wasm first, stop under the good-enough time, else the fastest timed", () => {
    const doc = docOf(source('client/types.ts'), 'backend');
    expect(doc).not.toMatch(/times each that works and keeps the fastest/);
    expect(doc).toContain(`under ${GOOD_ENOUGH_MS} ms`);
    expect(doc).toMatch(/wasm, webgpu, webgl, cpu/);
  });

  it('of the embed protocol name the values it exports, since they reach the loader', () => {
    const values = Object.keys(embedProtocol);
    expect(values.sort()).toEqual(['COMMANDS', 'EVENTS']);
    const header = source('embed/protocol.ts').split('\n\n')[0]!;
    expect(header).not.toMatch(/types only/i);
    expect(header).toMatch(/command names and the event names/);
  });

  it('say the neighbour similarities are shrunk cosines, as they are', () => {
    const doc = docOf(source('core/types.ts'), 'sims');
    expect(doc).toMatch(/shrunk cosine/);
    // Items 0 and 1 share both users; shrink 10: 2 / (sqrt(2 · 2) + 10), not the cosine 1.
    const n = buildNeighbours([Int32Array.of(0, 1), Int32Array.of(0, 1)], 2, 1, 10);
    expect(n.sims[0]).toBeCloseTo(2 / 12, 6);
  });
});

describe("'localrec/core' exports", () => {
  it('no test-only or unused helpers', () => {
    expect(core).not.toHaveProperty('autodiffUserGrad');
    expect(core).not.toHaveProperty('cloneParams');
    expect(core).toHaveProperty('adapt');
    expect(core).toHaveProperty('initialState');
  });
});
