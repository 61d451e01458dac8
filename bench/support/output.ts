// What every benchmark does with its results: a progress log on stderr, the
// environment the numbers were taken in, markdown tables on stdout and one
// JSON file under bench/results/.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { table } from '../stats';

/** Today's date, YYYY-MM-DD (UTC): the default suffix of a result file. */
export const today = (): string => new Date().toISOString().slice(0, 10);

/** The result file: `--out` when given, else bench/results/<name>-<date>.json (resolved against the working directory). */
export function resultPath(outFlag: unknown, name: string): string {
  return resolve(String(outFlag ?? `bench/results/${name}-${today()}.json`));
}

/** A progress line writer on stderr, `[tag] line` (with `clock`: `[tag HH:MM:SS] line`), so stdout keeps only the tables. */
export function benchLog(tag: string, options: { readonly clock?: boolean } = {}): (line: string) => void {
  return (line) => void process.stderr.write(`[${tag}${options.clock ? ` ${new Date().toISOString().slice(11, 19)}` : ''}] ${line}\n`);
}

/** The machine a run was taken on; `extra` adds the run's own fields (flags, versions). */
export function environment<T extends object>(extra: T = {} as T) {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? '',
    shared: 'yes: 2 cores shared with other jobs; compare rows within one run, as ratios',
    ...extra,
  };
}

/** Prints `## title` and a markdown table per section (with `skipEmpty`, a section without rows is left out). */
export function printTables(sections: readonly (readonly [string, readonly object[]])[], options: { readonly skipEmpty?: boolean } = {}): void {
  for (const [title, rows] of sections) {
    if (options.skipEmpty && rows.length === 0) continue;
    process.stdout.write(`\n## ${title}\n\n${table(rows)}\n`);
  }
}

/** Writes the report as indented JSON (one space), creating its folder. */
export async function writeReport(path: string, report: object): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 1)}\n`);
}
