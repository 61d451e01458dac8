import * as tf from '@tensorflow/tfjs-core';
import { denseRow } from './neighbours';
import type { ClickSignals, Feedback, FeedbackBatch } from './types';

/**
 * Weight of the impressions (shown, not clicked) relative to the clicks' total
 * of 1, when the artifact or the caller gives none.
 */
export const DEFAULT_NEGATIVE_WEIGHT = 0.5;

/**
 * Dense [1, items] feedback rows for one visitor (what the tfjs operations
 * read): the clicks with their signal weights (recency × rating, summing to
 * 1), impressions not clicked sharing `negativeWeight`, the evidence, and the
 * item-item and sequential rows if the model has them.
 */
export function feedbackRows(feedback: Feedback, items: number, negativeWeight: number, signals: ClickSignals): FeedbackBatch {
  const pos = new Float32Array(items);
  const neg = new Float32Array(items);
  feedback.clicks.forEach((item, i) => (pos[item]! += signals.weights[i]!));
  const clicked = new Set(feedback.clicks);
  const shown = [...new Set(feedback.negatives)].filter((item) => !clicked.has(item));
  for (const item of shown) neg[item]! += negativeWeight / shown.length;
  return {
    positives: tf.tensor2d(pos, [1, items]),
    ...(shown.length > 0 && negativeWeight > 0 ? { negatives: tf.tensor2d(neg, [1, items]) } : {}),
    count: tf.tensor2d([signals.count], [1, 1]),
    ...(signals.neighbours ? { neighbours: tf.tensor2d(denseRow(signals.neighbours, items), [1, items]) } : {}),
    ...(signals.transitions ? { transitions: tf.tensor2d(denseRow(signals.transitions, items), [1, items]) } : {}),
  };
}

/** Frees the tensors of feedback rows. */
export function disposeFeedback(rows: FeedbackBatch): void {
  tf.dispose([rows.positives, rows.negatives, rows.excluded, rows.count, rows.neighbours, rows.transitions].filter((t) => t !== undefined));
}
