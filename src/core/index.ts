export * from './params';
export * from './model';
export * from './inner';
export * from './adapt';
export * from './meta';
export * from './features';
export * from '../math/rng';
export * from './neighbours';
