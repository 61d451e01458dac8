import { describe, expect, it } from 'vitest';
import { MAX_RESTARTS_IN_A_ROW, Supervisor } from '../../../src/client/supervisor';
import type { FromWorker, InitParams, Request } from '../../../src/worker/messages';

const INIT: InitParams = { modelUrl: 'https://example.com/model.json', backend: 'auto', dbName: 'test' };

/** A stand-in Worker: answers init (unless `failInit`), holds other requests until `answer()`, and can crash. */
function fakeWorker(options: { failInit?: boolean } = {}) {
  const target = new EventTarget();
  const held: Request[] = [];
  const send = (message: FromWorker) => queueMicrotask(() => target.dispatchEvent(new MessageEvent('message', { data: message })));
  return Object.assign(target, {
    terminated: false,
    held,
    postMessage(request: Request) {
      if (request.type !== 'init') held.push(request);
      else if (!options.failInit) send({ kind: 'response', id: request.id, ok: true, result: { backend: 'cpu', storedEvents: 0 } });
    },
    answer() {
      for (const r of held.splice(0)) send({ kind: 'response', id: r.id, ok: true, result: { events: 0 } });
    },
    crash(message = 'boom') {
      target.dispatchEvent(Object.assign(new Event('error'), { message }));
    },
    terminate() {
      this.terminated = true;
    },
  });
}
type FakeWorker = ReturnType<typeof fakeWorker>;

function supervise(make: () => FakeWorker = () => fakeWorker()) {
  const workers: FakeWorker[] = [];
  const supervisor = new Supervisor(() => {
    const w = make();
    workers.push(w);
    return w as unknown as Worker;
  }, INIT);
  return { supervisor, workers };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Supervisor (worker lifecycle, page side)', () => {
  it('restarts a crashed worker; a read in flight is sent again, a write in flight rejects naming the call', async () => {
    const { supervisor, workers } = supervise();
    await supervisor.ready;
    const read = supervisor.request('stats', {});
    const write = supervisor.request('click', { itemId: 'i3' }).catch((e: Error) => e);
    await tick();
    workers[0]!.crash();
    expect(workers[0]!.terminated).toBe(true);
    await tick();
    workers[1]!.answer();
    expect(await read).toEqual({ events: 0 });
    const error = (await write) as Error;
    expect(error.name).toBe('WorkerStopped');
    expect(error.message).toContain('stopped while handling click({"itemId":"i3"})');
    expect(error.message).toContain('failed to load or crashed: boom');
  });

  it(`gives up after ${MAX_RESTARTS_IN_A_ROW} restarts without an answered call in between`, async () => {
    const { supervisor, workers } = supervise();
    await supervisor.ready;
    for (let i = 0; i <= MAX_RESTARTS_IN_A_ROW; i++) {
      await tick();
      workers.at(-1)!.crash(`crash ${i}`);
    }
    expect(workers).toHaveLength(MAX_RESTARTS_IN_A_ROW + 1);
    await expect(supervisor.request('stats', {})).rejects.toThrow(`stopped ${MAX_RESTARTS_IN_A_ROW + 1} times in a row (last: The recommender worker failed to load or crashed: crash ${MAX_RESTARTS_IN_A_ROW}.)`);
  });

  it('an answered call resets the count: a worker that crashes now and then keeps being restarted', async () => {
    const { supervisor, workers } = supervise();
    await supervisor.ready;
    for (let i = 0; i < MAX_RESTARTS_IN_A_ROW * 2; i++) {
      const call = supervisor.request('stats', {});
      await tick();
      workers.at(-1)!.answer();
      await call;
      workers.at(-1)!.crash();
    }
    expect(workers).toHaveLength(MAX_RESTARTS_IN_A_ROW * 2 + 1);
  });

  it('does not restart a worker that never became ready: ready rejects with the reason', async () => {
    const { supervisor, workers } = supervise(() => fakeWorker({ failInit: true }));
    await tick();
    workers[0]!.crash('bad worker URL');
    await expect(supervisor.ready).rejects.toThrow('The recommender worker failed to load or crashed: bad worker URL.');
    expect(workers).toHaveLength(1);
  });
});
