// 'localrec/core': the model's math, pure and shared by the Node training CLI and the worker.
export * from './types';
export * from './params';
export * from './model';
export * from './inner';
export * from './feedback';
export * from './state';
export * from './kernels';
export * from './adapt';
export * from './meta';
export * from './features';
export * from './neighbours';
export * from '../math/rng';
