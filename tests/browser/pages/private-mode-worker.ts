// The real worker in a browser that refuses IndexedDB (see refuse-indexeddb.ts).
import './refuse-indexeddb';
import '../../../src/worker/worker';
