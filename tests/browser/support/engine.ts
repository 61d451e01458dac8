import type { Page } from 'playwright-core';
import type { ReadyInfo, RecommenderOptions } from '../../../src/index';
import './page-globals';

export const ENGINE_PAGE_MODULE = '/tests/browser/pages/engine-page.ts';

/** Starts a recommender in the page (see pages/engine-page.ts); resolves with its ReadyInfo. */
export function startEngine(page: Page, options: RecommenderOptions): Promise<ReadyInfo> {
  return page.evaluate(
    async ([module, opts]) => {
      const mod = await window.importModule<{ start(o: RecommenderOptions): Promise<ReadyInfo> }>(module);
      return mod.start(opts);
    },
    [ENGINE_PAGE_MODULE, options] as const,
  );
}

/** Like startEngine, but resolves with the error message when `ready` rejects. */
export function startEngineError(page: Page, options: RecommenderOptions): Promise<string> {
  return page.evaluate(
    async ([module, opts]) => {
      const mod = await window.importModule<{ start(o: RecommenderOptions): Promise<ReadyInfo> }>(module);
      try {
        await mod.start(opts);
        return 'resolved';
      } catch (error) {
        return error instanceof Error ? `Error: ${error.message}` : `not an Error: ${String(error)}`;
      }
    },
    [ENGINE_PAGE_MODULE, options] as const,
  );
}
