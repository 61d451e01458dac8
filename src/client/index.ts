// The page side: starts the worker and speaks its protocol.
export { createRecommender, type Recommender, type RecommenderOptions } from './recommender';
