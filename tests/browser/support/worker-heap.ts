import type { BrowserContext, Page } from 'playwright-core';

/** Reads the JS heap of a page's newest dedicated worker, bytes, after a GC. */
export interface WorkerHeap {
  usedBytes(): Promise<number>;
  /**
   * After a GC: V8's heap (objects) and, apart, the backing stores of its
   * ArrayBuffers (typed arrays' bytes live there, not in the heap).
   * WebAssembly memories are in neither.
   */
  usage(): Promise<{ readonly usedBytes: number; readonly arrayBufferBytes: number }>;
}

/**
 * Workers have no performance.memory: attach to them over the page's CDP
 * session (auto-attach, non-flat sessions) and ask V8 directly. Workers that
 * start later (a restart) are attached too; the newest one is measured.
 */
export async function watchWorkerHeap(context: BrowserContext, page: Page): Promise<WorkerHeap> {
  const cdp = await context.newCDPSession(page);
  const sessions: string[] = [];
  type Usage = { usedSize?: number; backingStorageSize?: number };
  type Reply = { id: number; result?: Usage; error?: { message: string } };
  const replies = new Map<number, (message: Reply) => void>();
  let nextId = 0;
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') sessions.push(e.sessionId);
  });
  cdp.on('Target.detachedFromTarget', (e) => {
    const i = sessions.indexOf(e.sessionId ?? '');
    if (i >= 0) sessions.splice(i, 1);
  });
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const message = JSON.parse(e.message) as Reply;
    replies.get(message.id)?.(message);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const send = (sessionId: string, method: string) =>
    new Promise<Usage>((resolve, reject) => {
      const id = ++nextId;
      replies.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result ?? {})));
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params: {} }) });
    });
  const usage = async () => {
    const session = sessions.at(-1);
    if (!session) throw new Error('No worker attached: start the recommender before measuring its heap.');
    await send(session, 'HeapProfiler.collectGarbage');
    const heap = await send(session, 'Runtime.getHeapUsage');
    return { usedBytes: heap.usedSize ?? Number.NaN, arrayBufferBytes: heap.backingStorageSize ?? Number.NaN };
  };
  return {
    usage,
    async usedBytes() {
      return (await usage()).usedBytes;
    },
  };
}
