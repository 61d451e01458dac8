import { disposeInputs } from '../../core/features';
import { disposeParams } from '../../core/params';
import { adaptedScoresWith, disposeScoringTable, scoringTable } from '../../train/episodes';
import { trainPretrain } from '../../train/pretrain';
import { trainMeta } from '../../train/trainer';
import { SILENT_REPORTER } from '../../train/progress';
import { sharedPiece } from '../registry';
import { trainingDataFromFold } from '../../train/dataset-split';
import { trainedInputs } from '../../train/item-side';
import { DEFAULT_TRAIN_CONFIG, type Algorithm, type TrainConfig } from '../../train/config';
import type { FoldData } from '../../protocol/types';
import type { Method, Scorer } from '../types';

/**
 * The neural methods: meta-trained on the fold's training users, the best
 * iteration chosen on its validation users, and evaluated with the runtime's
 * own adaptation (the same steps and learned rates the browser uses).
 */
export function neuralMethod(name: string, overrides: Partial<TrainConfig> & { algorithm: Algorithm }): Method {
  return {
    name,
    async fit(fold: FoldData, ctx): Promise<Scorer> {
      // The trainer chooses its settings on the fold's validation users by the protocol's own question.
      const objective = ctx.objective?.protocol ?? 'v1';
      const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, objective, ...overrides, validationKs: ctx.ks };
      const data = trainingDataFromFold(fold);
      const log = (p: { iteration: number; tasksPerSecond: number; validation?: number }): void =>
        ctx.onProgress?.(
          `${name} fold ${fold.fold} iteration ${p.iteration}/${config.iterations}` +
            (Number.isNaN(p.tasksPerSecond) ? '' : ` ${p.tasksPerSecond.toFixed(0)} tasks/s`) +
            (p.validation === undefined ? '' : ` validation ${config.objective === 'v1' ? 'nDCG@10' : 'next-click HR@10'} ${p.validation.toFixed(4)}`),
        );
      // The fold's registry keeps what the v1 and v2 fits have in common (the pooled pretraining or, for pretrain-finetune, its pooled run).
      const options = { shared: <T>(key: string, make: () => T): T => sharedPiece(ctx, `${name}: ${key}`, make) };
      const model = config.algorithm === 'pretrain' ? await trainPretrain(data, config, log, SILENT_REPORTER, options) : await trainMeta(data, config, log, SILENT_REPORTER, options);
      const inputs = trainedInputs(model);
      const steps = config.algorithm === 'protonet' ? 0 : config.innerSteps;
      const lists = { neighbours: model.neighbours, transitions: model.transitions };
      // Every test user is scored with these parameters: their item table is built once, not per user.
      const table = await scoringTable(model.params, inputs);
      return {
        async score(support) {
          const [scores] = await adaptedScoresWith(table, model.params, [support], steps, 'last', lists);
          return scores![0]!;
        },
        async scoreMany(supports) {
          const [scores] = await adaptedScoresWith(table, model.params, supports, steps, 'last', lists);
          return scores!;
        },
        async scoreSteps(support, maxSteps) {
          const all = await adaptedScoresWith(table, model.params, [support], maxSteps ?? steps, 'all', lists);
          return all.map((perUser) => perUser[0]!);
        },
        tuning: {
          config: model.config,
          validation: model.validation,
          tasksPerSecond: Math.round(model.tasksPerSecond),
          history: model.history,
          start: model.start,
        },
        dispose() {
          disposeScoringTable(table);
          disposeParams(model.params);
          disposeInputs(inputs);
        },
      };
    },
  };
}

/** The configuration the browser ships (`npm run train:demo` uses the same defaults). */
export const SHIPPED_CONFIG = { algorithm: DEFAULT_TRAIN_CONFIG.algorithm } as const;

export const NEURAL_METHODS = {
  meta: () => neuralMethod('meta', SHIPPED_CONFIG),
  // The algorithms compared on one footing: pooled start, no ALS candidate.
  maml: () => neuralMethod('maml', { algorithm: 'maml', transfer: 'pooled' }),
  fomaml: () => neuralMethod('fomaml', { algorithm: 'fomaml', transfer: 'pooled' }),
  reptile: () => neuralMethod('reptile', { algorithm: 'reptile', transfer: 'pooled' }),
  protonet: () => neuralMethod('protonet', { algorithm: 'protonet', transfer: 'pooled' }),
  // the same number of batches as meta's pretraining + meta-training, all pooled
  'pretrain-finetune': () =>
    neuralMethod('pretrain-finetune', {
      algorithm: 'pretrain',
      iterations: DEFAULT_TRAIN_CONFIG.iterations + DEFAULT_TRAIN_CONFIG.pretrainIterations,
    }),
} as const;
