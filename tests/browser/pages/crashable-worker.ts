/// <reference lib="webworker" />
// The real worker plus a test hook, so a test can make it fail the ways a bug
// or the browser would: { kind: 'test-crash', how: 'throw' } raises an uncaught
// error; { how: 'close' } makes the worker stop itself; { how: 'hang' } spins
// forever (an endless loop: the worker never answers again).
import '../../../src/worker/worker';

declare const self: DedicatedWorkerGlobalScope;

self.addEventListener('message', (event: MessageEvent<{ kind?: string; how?: 'throw' | 'close' | 'hang' }>) => {
  if (event.data?.kind !== 'test-crash') return;
  if (event.data.how === 'close') {
    self.close();
    return;
  }
  if (event.data.how === 'hang') {
    for (;;) {
      // Never returns: only terminate() ends this.
    }
  }
  setTimeout(() => {
    throw new Error('test crash: an uncaught error in the worker');
  });
});
