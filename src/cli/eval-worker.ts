// A worker thread of `npm run eval --threads N` (see eval-threads.ts): runs the folds
// and methods it is sent and posts back each task's outcome.
import { parentPort, workerData } from 'node:worker_threads';
import { runFold } from '../eval/harness.js';
import { METHODS } from '../eval/methods/index.js';
import type { FoldJob, FoldMessage, FoldRequest } from './eval-threads.js';
import { useNodeBackend } from './node-backend.js';

const job = workerData as FoldJob;
const port = parentPort!;
const post = (msg: FoldMessage): void => port.postMessage(msg);
const ready = useNodeBackend('wasm'); // the neural methods; the baselines are plain JS

port.on('message', (req: FoldRequest) => {
  if (req.kind === 'stop') return void port.close();
  void (async () => {
    try {
      await ready;
      const methods = job.methods.map((name) => {
        const factory = METHODS[name];
        if (!factory) throw new Error(`eval thread: unknown method "${name}"; known: ${Object.keys(METHODS).join(', ')}`);
        return factory();
      });
      const opts = { ks: job.ks, folds: job.folds, threshold: job.threshold, minPositives: job.minPositives, steps: job.steps, log: (line: string) => post({ kind: 'log', line }) };
      post({ kind: 'done', outcome: await runFold(job.data, req.task, methods, opts, job.protocols) });
    } catch (err) {
      post({ kind: 'failed', message: `fold ${req.task.fold}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` });
    }
  })();
});
