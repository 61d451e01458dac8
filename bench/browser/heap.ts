// A dedicated worker has no performance.memory: its JS heap is read through the
// DevTools protocol instead, by attaching to the worker's target from the
// browser session (the non-flattened protocol, which Playwright's CDP session
// can carry), collecting garbage first so that only live objects count.
import type { Browser, CDPSession } from 'playwright-core';

export interface WorkerHeap {
  /** Used JS heap after a full garbage collection, bytes. */
  usedAfterGc(): Promise<number>;
  close(): Promise<void>;
}

/** Attaches to the first worker whose URL contains `urlPart`. */
export async function attachWorkerHeap(browser: Browser, urlPart: string): Promise<WorkerHeap> {
  const cdp: CDPSession = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find((t) => t.type === 'worker' && t.url.includes(urlPart));
  if (!target) throw new Error(`No worker target with "${urlPart}" in its URL (targets: ${targetInfos.map((t) => `${t.type} ${t.url}`).join(', ')}).`);
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  const pending = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id !== undefined) pending.get(message.id)?.(message);
  });
  let id = 0;
  const call = <T>(method: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const mid = ++id;
      pending.set(mid, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result as T)));
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: mid, method }) }).catch(reject);
    });
  return {
    async usedAfterGc() {
      await call('HeapProfiler.collectGarbage');
      return (await call<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize;
    },
    close: () => cdp.detach(),
  };
}
