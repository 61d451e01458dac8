import * as tf from '@tensorflow/tfjs-core';
// The full package registers the gradient functions meta-training needs (and
// the cpu backend); the browser engine imports only core and its backends.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/** Backends the Node CLIs can use (no native tfjs-node here: it downloads a binary at install). */
export const NODE_BACKENDS = ['wasm', 'cpu'] as const;
export type NodeBackend = (typeof NODE_BACKENDS)[number];

/** Activates a tfjs backend in Node; wasm is the fast one (the model needs no tf.gather gradient). */
export async function useNodeBackend(name: NodeBackend): Promise<void> {
  if (!(await tf.setBackend(name))) {
    throw new Error(`tfjs backend "${name}" failed to initialise in Node; try --backend ${name === 'wasm' ? 'cpu' : 'wasm'}.`);
  }
  await tf.ready();
}
