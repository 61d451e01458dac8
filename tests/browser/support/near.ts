import { expect } from 'vitest';

/** Expects `got` to have `want`'s length and each value within tol × max(1, |want|) (a relative tolerance, absolute near 0). */
export function expectNear(what: string, got: readonly number[], want: readonly number[], tol: number): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!), `${what}[${i}]: ${g} vs ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]!))));
}
