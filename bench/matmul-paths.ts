// `npx tsx bench/matmul-paths.ts [--items 17632] [--out bench/results/matmul-paths.json]`
//
// Why src/core/product.ts exists: tfjs-wasm's matMul with a transpose flag against
// the same product on an explicitly transposed copy, at training's shapes (a batch
// of 32 users × dim 32 against the catalog), and one forward + backward of the
// catalog scores through tf.matMul and through core/product. Milliseconds per call,
// median of 20 after 3 warm-ups, one thread. Prints a table, writes JSON.
import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { parseFlags } from '../src/cli/flags';
import { useNodeBackend } from '../src/cli/node-backend';
import { timesTransposed } from '../src/core/product';

const flags = parseFlags(process.argv.slice(2), {
  items: { kind: 'number', example: '17632', min: 1, max: 10_000_000, integer: true },
  out: { kind: 'string', example: 'bench/results/matmul-paths.json' },
});
await useNodeBackend('wasm');
const n = flags.items ?? 17_632;
const [b, d] = [32, 32];
const U = tf.randomNormal([b, d]) as tf.Tensor2D;
const V = tf.randomNormal([n, d]) as tf.Tensor2D;
const G = tf.randomNormal([b, n]) as tf.Tensor2D;
const backward = (f: (u: tf.Tensor2D, v: tf.Tensor2D) => tf.Tensor2D) => () => {
  const [gu, gv] = tf.grads((u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(G, f(u as tf.Tensor2D, v as tf.Tensor2D))))([U, V]);
  gv!.dispose();
  return gu!;
};
const cases: [string, () => tf.Tensor][] = [
  ['U · Vᵀ, transpose flag', () => tf.matMul(U, V, false, true)],
  ['U · (Vᵀ copied)', () => tf.matMul(U, tf.transpose(V))],
  ['Gᵀ · U, transpose flag', () => tf.matMul(G, U, true, false)],
  ['(Gᵀ copied) · U', () => tf.matMul(tf.transpose(G), U)],
  ['G · V, no flag', () => tf.matMul(G, V)],
  ['scores + both gradients, tf.matMul', backward((u, v) => tf.matMul(u, v, false, true))],
  ['scores + both gradients, core/product', backward(timesTransposed)],
];
const rows: { case: string; ms: number }[] = [];
for (const [name, f] of cases) {
  for (let i = 0; i < 3; i++) tf.tidy(f).dispose();
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const r = tf.tidy(f);
    await r.data();
    r.dispose();
    times.push(performance.now() - t0);
  }
  const ms = times.sort((x, y) => x - y)[10]!;
  rows.push({ case: name, ms });
  process.stdout.write(`${name.padEnd(40)} ${ms.toFixed(2).padStart(7)} ms\n`);
}
const summary = { what: `tfjs-wasm matMul paths, [${b}, ${d}] users against [${n}, ${d}] items, ms per call (median of 20)`, command: 'npx tsx bench/matmul-paths.ts', date: new Date().toISOString(), rows };
if (flags.out) await writeFile(flags.out, JSON.stringify(summary, null, 2) + '\n');
