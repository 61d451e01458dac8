// The import rules of src/, checked from the source text: no import circles,
// the benchmark (src/eval/) imported only by eval/ and cli/, and each folder
// importing only the layers below it. `npm run check:imports` prints the
// problems; tests/unit/architecture.test.ts fails on any.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * What each folder of src/ may import besides itself: the architecture, bottom
 * up. `index.ts` is the package's public entry. A new folder must be added
 * here, with the layers it stands on.
 */
export const LAYERS: Readonly<Record<string, readonly string[]>> = {
  math: [],
  data: ['math'],
  protocol: ['math', 'data'],
  core: ['math'],
  gpu: ['core', 'math'],
  artifact: ['core', 'math'],
  train: ['core', 'math', 'protocol', 'data', 'artifact'],
  eval: ['train', 'core', 'math', 'protocol', 'data'],
  cli: ['eval', 'train', 'core', 'math', 'protocol', 'data', 'artifact'],
  backend: [],
  storage: [],
  worker: ['backend', 'storage', 'artifact', 'core', 'gpu', 'math', 'protocol', 'data'],
  client: ['worker', 'backend', 'artifact'],
  'index.ts': ['client', 'backend', 'worker', 'storage'],
  embed: ['index.ts', 'client', 'worker'],
  demo: ['index.ts', 'data', 'math'],
};

/** Folders whose modules only these may import (the benchmark is not a library). */
export const ONLY_IMPORTED_BY: Readonly<Record<string, readonly string[]>> = {
  eval: ['eval', 'cli'],
};

export interface ImportGraph {
  /** Module (path relative to the root, e.g. 'src/core/adapt.ts') → the modules it imports. */
  readonly edges: ReadonlyMap<string, readonly string[]>;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The module a relative specifier names ('./x', './x.js', './x.ts?worker&url', './dir'), or null for a package. */
function resolveSpecifier(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier.replace(/\?.*$/, '').replace(/\.js$/, ''));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${relative(ROOT, from)} imports "${specifier}", which names no file: fix the path.`);
}

/** Every import (static, type-only, re-export, dynamic) between the modules under `dir`. */
export function importGraph(dir = join(ROOT, 'src')): ImportGraph {
  const edges = new Map<string, string[]>();
  for (const file of sourceFiles(dir)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles.map((f) => resolveSpecifier(file, f.fileName)).filter((t): t is string => t !== null);
    edges.set(relative(ROOT, file), [...new Set(targets.map((t) => relative(ROOT, t)))]);
  }
  return { edges };
}

/** The layer of a module: its folder under src/, or the file name for a module directly in src/. */
export function layerOf(module: string): string {
  const parts = module.split('/');
  return parts[1]!;
}

/** Import circles, each as the modules around it (first repeated at the end); none is the goal. */
export function findCycles(graph: ImportGraph): string[][] {
  // Tarjan's strongly connected components; each component of more than one module holds a circle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.edges.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of [...graph.edges.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((c) => circleIn(graph, new Set(c)));
}

/** One circle through a strongly connected component: a shortest path from its first module back to itself. */
function circleIn(graph: ImportGraph, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.edges.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at = v; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** Every broken rule, one sentence each; empty when src/ keeps them all. */
export function checkImports(graph: ImportGraph = importGraph()): string[] {
  const problems: string[] = [];
  for (const cycle of findCycles(graph)) problems.push(`import circle: ${cycle.join(' → ')}`);
  for (const [from, targets] of graph.edges) {
    const layer = layerOf(from);
    const allowed = LAYERS[layer];
    if (!allowed) {
      problems.push(`${from}: src/${layer} is not in LAYERS (scripts/check-imports.ts): add it with the layers it may import.`);
      continue;
    }
    for (const to of targets) {
      const target = layerOf(to);
      if (target === layer) continue;
      const only = ONLY_IMPORTED_BY[target];
      if (only && !only.includes(layer)) problems.push(`${from} imports ${to}: src/${target}/ may be imported only by ${only.map((l) => `src/${l}/`).join(', ')} (and bench/).`);
      else if (!allowed.includes(target)) problems.push(`${from} imports ${to}: src/${layer} may import only ${allowed.length ? allowed.map((l) => `src/${l}`).join(', ') : 'itself'}.`);
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const graph = importGraph();
  const problems = checkImports(graph);
  const count = [...graph.edges.values()].reduce((n, t) => n + t.length, 0);
  for (const p of problems) console.log(p);
  console.log(`${graph.edges.size} modules, ${count} imports under src/: ${problems.length === 0 ? 'no circles, every import points down its layers' : `${problems.length} problems`}.`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
