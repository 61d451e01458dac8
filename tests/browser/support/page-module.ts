import { afterAll, beforeAll } from 'vitest';
import { startHarness, type Harness } from './harness';
import './page-globals';

/** Functions a page module exports (what `typeof import('./pages/x')` holds). */
type Exports<M> = { readonly [K in keyof M]: (...args: never[]) => unknown };

export interface PageModule<M extends Exports<M>> {
  /** The running harness (inside tests: it exists once beforeAll ran). */
  readonly harness: Harness;
  /** Calls `name(...args)` of the module in a fresh page (own context, closed after) and returns its result. */
  call<K extends keyof M & string>(name: K, ...args: Parameters<M[K]>): Promise<Awaited<ReturnType<M[K]>>>;
}

/**
 * Registers the setup the suites that test a page module share: a harness
 * (Vite dev server + Chromium with WebGPU) started before the suite and
 * closed after it, and calls into the module at `path` (served by Vite, e.g.
 * '/tests/browser/pages/wgsl-page.ts'), each in a fresh page whose arguments
 * and result cross as structured clones.
 */
export function usePageModule<M extends Exports<M>>(path: string): PageModule<M> {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });
  const running = (): Harness => {
    if (!harness) throw new Error(`usePageModule("${path}"): call the page inside tests, after beforeAll has run.`);
    return harness;
  };
  return {
    get harness() {
      return running();
    },
    async call<K extends keyof M & string>(name: K, ...args: Parameters<M[K]>): Promise<Awaited<ReturnType<M[K]>>> {
      const { context, page } = await running().newPage();
      try {
        const result: unknown = await page.evaluate(
          async ([module, fn, a]) => (await window.importModule<Record<string, (...x: unknown[]) => unknown>>(module))[fn]!(...a),
          [path, name, args as unknown[]] as const,
        );
        return result as Awaited<ReturnType<M[K]>>;
      } finally {
        await context.close();
      }
    },
  };
}
