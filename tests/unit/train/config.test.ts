import { describe, expect, it } from 'vitest';
import { checkTrainConfig, DEFAULT_TRAIN_CONFIG, TRAIN_LIMITS } from '../../../src/train/config';

describe('training settings', () => {
  it('accept the defaults', () => {
    expect(() => checkTrainConfig(DEFAULT_TRAIN_CONFIG)).not.toThrow();
    for (const [key, range] of Object.entries(TRAIN_LIMITS)) {
      const value = DEFAULT_TRAIN_CONFIG[key as keyof typeof TRAIN_LIMITS];
      expect(value, key).toBeGreaterThanOrEqual(range.min);
      expect(value, key).toBeLessThanOrEqual(range.max);
    }
  });

  it('refuse a value outside its range with an Error naming the setting and the range', () => {
    const bad = (over: object) => () => checkTrainConfig({ ...DEFAULT_TRAIN_CONFIG, ...over });
    expect(bad({ iterations: 0 })).toThrow('Training setting iterations is 0: use a whole number from 1 to 10,000,000.');
    expect(bad({ pretrainIterations: 1.5 })).toThrow('Training setting pretrainIterations is 1.5: use a whole number from 0 to 10,000,000.');
    expect(bad({ metaLr: 0 })).toThrow('Training setting metaLr is 0: use a number above 0 and at most 10.');
    expect(bad({ dim: NaN })).toThrow('Training setting dim is NaN');
    expect(bad({ alsLambdas: [] })).toThrow('Training setting alsLambdas is []: give at least one ridge λ above 0');
    expect(bad({ validationKs: [0] })).toThrow('Training setting validationKs is [0]');
  });
});
