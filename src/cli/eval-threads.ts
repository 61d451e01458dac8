// The one module that owns the eval CLI's worker threads: folds run in parallel,
// each in its own thread with its own fold registry, and come back as the
// harness's per-fold outcomes. Each fold is seeded by its number alone, so where
// a fold runs does not change a float: the merged reports equal a serial run's.
import { Worker } from 'node:worker_threads';
import type { FoldOutcome, FoldRunner, FoldTask } from '../eval/harness.js';
import type { Protocol } from '../eval/timing.js';
import type { PreparedData } from '../protocol/data.js';

/** What one thread needs to run a fold: the prepared data and the run's settings, all structured-cloneable. */
export interface FoldJob {
  readonly data: PreparedData;
  /** Names in METHODS, in the run's order (a thread builds its own method instances). */
  readonly methods: readonly string[];
  readonly protocols: readonly Protocol[];
  readonly ks: readonly number[];
  readonly folds: readonly number[];
  readonly threshold: number;
  readonly minPositives: number;
  readonly steps: number | undefined;
}

/** Messages a fold thread sends back. */
export type FoldMessage =
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'done'; readonly outcome: FoldOutcome }
  | { readonly kind: 'failed'; readonly message: string };

/** Messages the pool sends to a fold thread: the next task, or none left. */
export type FoldRequest = { readonly kind: 'task'; readonly task: FoldTask } | { readonly kind: 'stop' };

/**
 * The thread's entry: the compiled module as it is, or, when this CLI runs from
 * TypeScript under tsx, a one-line module that registers tsx in the thread first
 * (Node 20 threads do not inherit the parent's module hooks).
 */
function workerEntry(): URL {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './eval-worker.ts' : './eval-worker.js', import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return entry;
  const code = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * A FoldRunner on `threads` worker threads: each thread takes the next task (a fold's
 * method or group of methods) as it finishes one. The threads inherit this process's flags (tsx's loader included).
 */
export function threadFoldRunner(job: FoldJob, threads: number, log: (line: string) => void): FoldRunner {
  if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`--threads ${threads} is not a positive whole number: use 1 (serial) or the number of cores to use`);
  return (tasks) =>
    new Promise<FoldOutcome[]>((resolve, reject) => {
      const queue = [...tasks];
      const outcomes: FoldOutcome[] = [];
      const workers: Worker[] = [];
      let failed = false;
      const fail = (err: Error): void => {
        if (failed) return;
        failed = true;
        for (const w of workers) void w.terminate();
        reject(err);
      };
      const next = (w: Worker): void => {
        const task = queue.shift();
        w.postMessage((task === undefined ? { kind: 'stop' } : { kind: 'task', task }) satisfies FoldRequest);
      };
      for (let t = 0; t < Math.min(threads, tasks.length); t++) {
        const w = new Worker(workerEntry(), { workerData: job });
        workers.push(w);
        w.on('message', (msg: FoldMessage) => {
          if (msg.kind === 'log') log(msg.line);
          else if (msg.kind === 'failed') fail(new Error(msg.message));
          else {
            outcomes.push(msg.outcome);
            if (outcomes.length === tasks.length) {
              for (const other of workers) void other.terminate();
              resolve(outcomes);
            } else next(w);
          }
        });
        w.on('error', (err) => fail(err));
        w.on('exit', (code) => {
          if (code !== 0 && !failed && outcomes.length < tasks.length) fail(new Error(`eval thread ${t} exited with code ${code} before its tasks were done`));
        });
        next(w);
      }
    });
}
