import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../math/rng';

/** Sizes of a model: catalog items, content features, embedding dimension. */
export interface ModelShape {
  readonly items: number;
  readonly features: number;
  readonly dim: number;
}

/**
 * Every meta-learned parameter, in artifact order. The item side (content
 * projection, id embeddings, biases) is shared by all users; the user side
 * (userInit, popInit) is where on-device adaptation starts; protoScale and the
 * log learning rates shape that adaptation (prototype start, Meta-SGD steps).
 */
export const PARAM_NAMES = [
  'contentW', // [features, dim]  content → item vector, so cold items get one
  'itemEmb', // [items, dim]      id embedding, used only for warm items
  'contentBias', // [features]   content → popularity prior
  'itemBias', // [items]          learned popularity of warm items
  'userInit', // [dim]            the meta-initialization of the user vector
  'popInit', // [1]               initial weight of the popularity prior
  'protoScale', // [1]            weight of the mean clicked-item vector at step 0
  'logLrUser', // [dim]           per-coordinate inner learning rates (log)
  'logLrPop', // [1]              inner learning rate of popInit (log)
  'popWeight', // [1]             weight of log(1 + training popularity) in the prior
  'logShrink', // [1]             evidence shrinkage κ (log): k clicks count k / (k + κ)
  'contentCtx', // [features, dim] content → context vector (how a click describes its clicker)
  'ctxEmb', // [items, dim]       id context embedding of warm items
  'logKnnInit', // [1]            initial weight of the item-item term (log; times the evidence)
  'logLrKnn', // [1]              inner learning rate of the item-item weight (log)
  'logitDecay', // [1]            recency decay of click weights (logit; see core/recency)
  'logSeqInit', // [1]            initial weight of the sequential (next-item transition) term (log)
  'logLrSeq', // [1]              inner learning rate of the sequential weight (log)
] as const;

export type ParamName = (typeof PARAM_NAMES)[number];
export type MetaParams = Record<ParamName, tf.Tensor>;

/**
 * The per-visitor parameters: where adaptation starts and how it steps, the
 * recency decay of click weights, the sequential term's start and rate. All a
 * click needs besides the item table (format v2 ships only these).
 */
export const USER_PARAM_NAMES = [
  'userInit',
  'popInit',
  'protoScale',
  'logLrUser',
  'logLrPop',
  'logShrink',
  'logKnnInit',
  'logLrKnn',
  'logitDecay',
  'logSeqInit',
  'logLrSeq',
] as const satisfies readonly ParamName[];

/**
 * The item-indexed parameters, one row per catalog item: a sampled batch's
 * gradient in them is row-sparse (its candidates' rows), so a sampled run
 * updates them with lazy Adam (core/meta rowSparseStep, train/row-optimizer).
 */
export const ITEM_ROW_NAMES = ['itemEmb', 'itemBias', 'ctxEmb'] as const satisfies readonly ParamName[];

export type ItemRowName = (typeof ITEM_ROW_NAMES)[number];

export type UserParamName = (typeof USER_PARAM_NAMES)[number];

/** The per-visitor parameters as tensors: what adaptation reads of a model (a MetaParams is one). */
export type AdaptParams = Pick<MetaParams, UserParamName>;

/** The shape of every parameter for a model shape. */
export function paramShapes(shape: ModelShape): Record<ParamName, number[]> {
  const { items, features, dim } = shape;
  return {
    contentW: [features, dim],
    itemEmb: [items, dim],
    contentBias: [features],
    itemBias: [items],
    userInit: [dim],
    popInit: [1],
    protoScale: [1],
    logLrUser: [dim],
    logLrPop: [1],
    popWeight: [1],
    logShrink: [1],
    contentCtx: [features, dim],
    ctxEmb: [items, dim],
    logKnnInit: [1],
    logLrKnn: [1],
    logitDecay: [1],
    logSeqInit: [1],
    logLrSeq: [1],
  };
}

/** Options for a fresh initialization before meta-training. */
export interface InitOptions {
  readonly seed: number | string;
  /** Standard deviation of the random embeddings. */
  readonly scale?: number;
  /** Initial inner learning rate (per step, all coordinates). */
  readonly innerLr?: number;
  /** Initial weight of the prototype (mean clicked-item vector) at step 0. */
  readonly protoScale?: number;
  /** Initial weight of the item-item term. */
  readonly knnInit?: number;
  /** Initial recency decay of click weights, in (0, 1]. */
  readonly decay?: number;
  /** Initial weight of the sequential term. */
  readonly seqInit?: number;
}

/** Seeded random initialization: the same seed gives the same parameters. */
export function initParams(shape: ModelShape, options: InitOptions): MetaParams {
  const rng = createRng(options.seed);
  const scale = options.scale ?? 0.05;
  const lr = Math.log(options.innerLr ?? 1);
  const shapes = paramShapes(shape);
  const normal = (n: number): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = rng.normal() * scale;
    return out;
  };
  const filled = (n: number, v: number): Float32Array => new Float32Array(n).fill(v);
  const size = (name: ParamName): number => shapes[name].reduce((a, b) => a * b, 1);
  const values: Record<ParamName, Float32Array> = {
    contentW: normal(size('contentW')),
    itemEmb: normal(size('itemEmb')),
    contentBias: filled(size('contentBias'), 0),
    itemBias: filled(size('itemBias'), 0),
    userInit: normal(size('userInit')),
    popInit: filled(1, 1),
    protoScale: filled(1, options.protoScale ?? 1),
    logLrUser: filled(size('logLrUser'), lr),
    logLrPop: filled(1, lr),
    popWeight: filled(1, 1),
    logShrink: filled(1, 0),
    contentCtx: normal(size('contentCtx')),
    ctxEmb: normal(size('ctxEmb')),
    logKnnInit: filled(1, Math.log(options.knnInit ?? 2)),
    logLrKnn: filled(1, lr),
    logitDecay: filled(1, decayLogit(options.decay ?? 1)),
    logSeqInit: filled(1, Math.log(options.seqInit ?? 1)),
    logLrSeq: filled(1, lr),
  };
  return fromArrays(values, shape);
}

/** Logit of a decay; a decay of 1 (every click weighing the same) maps to a logit whose sigmoid is 1 in float32. */
export function decayLogit(decay: number): number {
  return decay >= 1 ? UNIFORM_DECAY_LOGIT : Math.log(decay / (1 - decay));
}

/** sigmoid(20) rounds to 1 in float32: clicks weigh the same, as before the decay was learned. */
export const UNIFORM_DECAY_LOGIT = 20;

/** Builds parameter tensors from flat arrays (e.g. decoded artifact weights). */
export function fromArrays(values: Record<ParamName, Float32Array>, shape: ModelShape): MetaParams {
  const shapes = paramShapes(shape);
  const out = {} as MetaParams;
  for (const name of PARAM_NAMES) {
    const want = shapes[name].reduce((a, b) => a * b, 1);
    const got = values[name]?.length;
    if (got !== want) {
      throw new Error(
        `Parameter "${name}" has ${got ?? 'no'} values, expected ${want} for shape [${shapes[name].join(', ')}]: ` +
          `the weights do not match the model shape (items ${shape.items}, features ${shape.features}, dim ${shape.dim}).`,
      );
    }
    out[name] = tf.tensor(values[name], shapes[name], 'float32');
  }
  return out;
}

/** Reads every parameter back to flat arrays (await: safe on GPU backends). */
export async function toArrays(params: MetaParams): Promise<Record<ParamName, Float32Array>> {
  const out = {} as Record<ParamName, Float32Array>;
  for (const name of PARAM_NAMES) out[name] = (await params[name].data()) as Float32Array;
  return out;
}

/** Frees every tensor of a parameter set. */
export function disposeParams(params: MetaParams): void {
  for (const name of PARAM_NAMES) params[name].dispose();
}
