/// <reference lib="webworker" />
// What some private browsing modes do (Firefox before 115): indexedDB.open()
// throws. Imported before the real worker, so it is in place when it starts.
IDBFactory.prototype.open = function open(): IDBOpenDBRequest {
  throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
};

export {};
