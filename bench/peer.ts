// Runs the PyTorch peer (bench/reference/peer.py) with Debian's python, which
// has python3-torch; `python3` on PATH may be another interpreter without it.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PEER = fileURLToPath(new URL('./reference/peer.py', import.meta.url));

/** The python with PyTorch: $LOCALREC_PYTHON, else Debian's /usr/bin/python3. */
export const PYTHON = process.env.LOCALREC_PYTHON ?? '/usr/bin/python3';

/** Why the peer cannot run here (no python, no torch), or null when it can. */
export function peerUnavailable(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} does not run (${probe.error.message}); set LOCALREC_PYTHON to a python with PyTorch`;
  if (probe.status !== 0) return `${PYTHON} has no PyTorch: \`apt-get install -y python3-torch\` (Debian), or set LOCALREC_PYTHON`;
  return null;
}

export interface PeerCase {
  readonly clicks: readonly number[];
  readonly negatives?: readonly number[];
}

export interface PeerResult {
  readonly indices: number[];
  readonly scores: number[];
  readonly losses: number[];
  readonly ms: number;
}

export interface PeerAnswer<T> {
  readonly torch: string;
  readonly threads: number;
  readonly results: T;
}

function call<T>(request: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PEER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`The PyTorch peer exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      resolve(JSON.parse(out) as T);
    });
    child.stdin.end(JSON.stringify(request));
  });
}

/** Adapts and ranks every case on the artifact in `dir` (after `warmup` untimed cases); ms per case. */
export async function peerClicks(dir: string, cases: readonly PeerCase[], top: number, warmup = 3): Promise<PeerAnswer<PeerResult[]>> {
  const answer = await call<{ torch: string; threads: number; results: PeerResult[] }>({ artifact: dir, cases, top, warmup });
  return { torch: answer.torch, threads: answer.threads, results: answer.results };
}

/** Times top `topk` of `items` random item vectors, `reps` times (ms each). */
export async function peerScoring(items: number, dim: number, topk: number, reps: number): Promise<PeerAnswer<number[]>> {
  const answer = await call<{ torch: string; threads: number; ms: number[] }>({ scoring: { items, dim, topk, reps } });
  return { torch: answer.torch, threads: answer.threads, results: answer.ms };
}
