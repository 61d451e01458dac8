import { describe, expect, it, vi } from 'vitest';
import { WorkerLink } from '../../../src/client/link';
import { toErrorData, type FromWorker, type Request } from '../../../src/worker/messages';

/** A stand-in Worker: answers requests with `reply`, and can push events. */
function fakeWorker(reply: (request: Request) => FromWorker | null) {
  const target = new EventTarget();
  const worker = Object.assign(target, {
    postMessage(request: Request) {
      const answer = reply(request);
      if (answer) queueMicrotask(() => target.dispatchEvent(new MessageEvent('message', { data: answer })));
    },
    push(message: FromWorker) {
      target.dispatchEvent(new MessageEvent('message', { data: message }));
    },
  });
  return worker;
}

describe('WorkerLink (page side of the worker protocol)', () => {
  it('matches responses to requests by id and rethrows error data as Errors', async () => {
    const worker = fakeWorker((r) =>
      r.type === 'click'
        ? { kind: 'response', id: r.id, ok: false, error: { name: 'Error', message: 'Unknown item id "x42": not in catalog v3 (2,000 items)' } }
        : { kind: 'response', id: r.id, ok: true, result: [{ id: 'a', title: 'A', tags: [], score: 1 }] },
    );
    const link = new WorkerLink(worker as unknown as Worker);
    const [items, failure] = await Promise.all([link.request('recommend', { count: 1 }), link.request('click', { itemId: 'x42' }).catch((e: unknown) => e)]);
    expect(items[0]!.id).toBe('a');
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('Unknown item id "x42": not in catalog v3 (2,000 items)');
  });

  it('keeps where the worker threw: the rethrown Error carries the worker-side stack', async () => {
    const thrown = new RangeError('Rating 9 for "a" is out of range: use a number from 1 to 5.');
    const data = toErrorData(thrown);
    expect(data).toEqual({ name: 'RangeError', message: thrown.message, stack: thrown.stack });
    const worker = fakeWorker((r) => ({ kind: 'response', id: r.id, ok: false, error: data }));
    const failure = (await new WorkerLink(worker as unknown as Worker).request('rate', { itemId: 'a', value: 9 }).catch((e: unknown) => e)) as Error;
    expect(failure.name).toBe('RangeError');
    expect(failure.message).toBe(thrown.message);
    // This test file is where it was thrown, as the worker's module would be.
    expect(failure.stack).toContain('link.test.ts');
    expect(failure.stack).toBe(thrown.stack);
  });

  it('fans events out to listeners; a throwing listener does not stop the others; unsubscribe works', () => {
    const worker = fakeWorker(() => null);
    const link = new WorkerLink(worker as unknown as Worker);
    const seen: number[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    link.on('adapt', () => {
      throw new Error('page bug');
    });
    const off = link.on('adapt', (e) => seen.push(e.step));
    worker.push({ kind: 'event', type: 'adapt', data: { step: 1, loss: 0.5, ms: 2, backend: 'cpu', steps: 3 } });
    off();
    worker.push({ kind: 'event', type: 'adapt', data: { step: 2, loss: 0.4, ms: 2, backend: 'cpu', steps: 3 } });
    expect(seen).toEqual([1]);
    expect(spy).toHaveBeenCalledTimes(2); // the throwing listener is still subscribed
    spy.mockRestore();
  });

  it('rejects pending and later requests once the worker failed', async () => {
    const worker = fakeWorker(() => null);
    const link = new WorkerLink(worker as unknown as Worker);
    const pending = link.request('stats', {});
    link.fail(new Error('worker crashed'));
    await expect(pending).rejects.toThrow('worker crashed');
    await expect(link.request('stats', {})).rejects.toThrow('worker crashed');
  });
});
