import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);

/** Runs a command in `cwd`; its output is kept for the error when it fails. */
async function sh(cwd: string, command: string, args: string[], keep: 'stdout' | 'all' = 'all'): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, maxBuffer: 1 << 26, env: { ...process.env, npm_config_update_notifier: 'false' } });
    return keep === 'stdout' ? stdout : stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

/**
 * The project as a fresh clone of this working tree would have it: the files
 * git tracks or would track (no dist/, nothing ignored), with this checkout's
 * node_modules linked in so that its build tools run without a second install.
 */
export async function cleanCopy(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'localrec-clone-'));
  const files = (await sh(ROOT, 'git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'])).split('\0').filter(Boolean);
  for (const file of files) {
    const to = join(dir, file);
    mkdirSync(dirname(to), { recursive: true });
    try {
      copyFileSync(join(ROOT, file), to);
    } catch {
      // Deleted in the working tree but still in the index: a clone of this tree would not have it either.
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** `npm pack` in `project` (its prepack script included); returns the tarball's path and the files it holds. */
export async function pack(project: string, into: string): Promise<{ tarball: string; files: string[] }> {
  const out = await sh(project, 'npm', ['pack', '--json', '--pack-destination', into, '--loglevel=error'], 'stdout');
  // The build's own output comes first; npm's JSON report is the last thing printed.
  const json = JSON.parse(out.slice(out.lastIndexOf('[\n  {'))) as [{ filename: string; files: { path: string }[] }];
  return { tarball: join(into, json[0].filename), files: json[0].files.map((f) => f.path) };
}

/**
 * A new Vite app that depends on the tarball, as a user would make it: the
 * shipped demo model in public/, and a page that starts a recommender,
 * clicks and records what it ranked in `window.result`. Installed from the npm
 * cache where it can be (the registry otherwise), then built.
 */
export async function buildApp(tarball: string, into: string): Promise<string> {
  const app = join(into, 'app');
  const viteVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules/vite/package.json'), 'utf8')) as { version: string }).version;
  mkdirSync(join(app, 'public/models/demo'), { recursive: true });
  // What a site serves: the artifact's files, not the training output under training/.
  for (const entry of readdirSync(join(ROOT, 'public/models/demo'), { withFileTypes: true })) {
    if (entry.isFile()) copyFileSync(join(ROOT, 'public/models/demo', entry.name), join(app, 'public/models/demo', entry.name));
  }
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'localrec-packed-app', private: true, type: 'module', dependencies: { localrec: `file:${tarball}` }, devDependencies: { vite: viteVersion } }, null, 2),
  );
  writeFileSync(join(app, 'index.html'), '<!doctype html>\n<html><body><ol id="top"></ol><script type="module" src="/main.js"></script></body></html>\n');
  writeFileSync(
    join(app, 'main.js'),
    `import { createRecommender } from 'localrec';

const rec = createRecommender({ modelUrl: '/models/demo/model.json' });
(async () => {
  const info = await rec.ready;
  const before = await rec.recommend({ count: 10 });
  const clicked = before[3].id;
  await rec.click(clicked);
  const after = await rec.recommend({ count: 10, exclude: [clicked] });
  document.getElementById('top').innerHTML = after.map((i) => '<li>' + i.title + '</li>').join('');
  window.result = { backend: info.backend, items: info.items, before: before.map((i) => i.id), after: after.map((i) => i.id) };
})().catch((error) => (window.result = { error: String(error) }));
`,
  );
  await sh(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
  await sh(app, join(app, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn']);
  return join(app, 'dist');
}

/** Removes a temp dir made here. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
