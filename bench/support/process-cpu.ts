// CPU time of this process's descendants (Chromium's browser, renderer, GPU
// and utility processes, with every thread), from Linux's /proc: run time in
// ns per thread (schedstat), summed. On a machine shared with other jobs the
// wall time of a click includes waiting for a core; its CPU time does not.
import { readdirSync, readFileSync } from 'node:fs';

/** The processes below `root` (not itself): their ids, from each process's parent id in /proc/<pid>/stat. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readOrNull(`/proc/${name}/stat`);
    // The command name (2nd field) is in parentheses and may hold spaces: the parent id is the 2nd field after it.
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    if (Number.isInteger(ppid)) children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) for (const child of children.get(queue.pop()!) ?? []) out.push(child), queue.push(child);
  return out;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process or thread ended meanwhile
  }
}

/** ms of CPU the descendants of this process have run so far (threads that ended are not counted: take differences over short spans). */
export function descendantCpuMs(): number {
  let ns = 0;
  for (const pid of descendants(process.pid)) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) ns += Number(readOrNull(`/proc/${pid}/task/${tid}/schedstat`)?.split(' ')[0] ?? 0);
  }
  return ns / 1e6;
}

/** True where /proc gives per-thread run times (Linux). */
export function canMeasureCpu(): boolean {
  return readOrNull(`/proc/${process.pid}/task/${process.pid}/schedstat`) !== null;
}
