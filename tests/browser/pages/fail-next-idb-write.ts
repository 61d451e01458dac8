/// <reference lib="webworker" />
// A disk that refuses one IndexedDB write when told to, as Chromium reports a
// disk error (UnknownError): after { kind: 'test-fault', what: 'idb-write' },
// the next IDBObjectStore.add() throws. Imported before the real worker, so
// it is in place when the worker first touches IndexedDB.
declare const self: DedicatedWorkerGlobalScope;

let armed = false;
const add = IDBObjectStore.prototype.add;
IDBObjectStore.prototype.add = function failingAdd(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>): IDBRequest<IDBValidKey> {
  if (armed) {
    armed = false;
    throw new DOMException('Test fault: the disk refused the write.', 'UnknownError');
  }
  return add.apply(this, args);
};

self.addEventListener('message', (event: MessageEvent<{ kind?: string; what?: string }>) => {
  if (event.data?.kind === 'test-fault' && event.data.what === 'idb-write') armed = true;
});

export {};
