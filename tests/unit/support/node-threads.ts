import { Worker } from 'node:worker_threads';
import type { SpawnThread } from '../../../src/worker/sweep-threads';

// The Web Worker globals HELPER_SOURCE uses (self.onmessage, close), in a Node worker thread.
const PRELUDE = `
const { parentPort } = require('node:worker_threads');
const self = { set onmessage(f) { parentPort.once('message', (data) => f({ data })); } };
const close = () => process.exit(0);
`;

/** The sweep helpers' program in a real Node worker thread (what a Web Worker is to the browser). */
export const nodeThread: SpawnThread = (source, failed) => {
  const worker = new Worker(`${PRELUDE}\n${source}`, { eval: true });
  worker.on('error', failed);
  return { postMessage: (message) => worker.postMessage(message), terminate: () => void worker.terminate() };
};
