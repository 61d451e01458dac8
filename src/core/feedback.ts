import * as tf from '@tensorflow/tfjs-core';
import type { Feedback, FeedbackBatch, SparseRow } from './types';

/**
 * Weight of the impressions (shown, not clicked) relative to the clicks' total
 * of 1, when the artifact or the caller gives none.
 */
export const DEFAULT_NEGATIVE_WEIGHT = 0.5;

/**
 * Dense [1, items] feedback rows for one visitor (what the tfjs operations
 * read): clicks weighted and normalised to sum to 1, impressions not clicked
 * sharing `negativeWeight`, the click count, and the item-item row if any.
 */
export function feedbackRows(
  feedback: Feedback,
  items: number,
  negativeWeight = DEFAULT_NEGATIVE_WEIGHT,
  neighbours?: SparseRow | null,
): FeedbackBatch {
  const pos = new Float32Array(items);
  const neg = new Float32Array(items);
  let total = 0;
  feedback.clicks.forEach((item, i) => {
    const w = feedback.clickWeights?.[i] ?? 1;
    pos[item]! += w;
    total += w;
  });
  if (total > 0) for (let i = 0; i < items; i++) pos[i]! /= total;
  const shown = Array.from(feedback.negatives).filter((item) => pos[item] === 0);
  for (const item of shown) neg[item]! += negativeWeight / shown.length;
  return {
    positives: tf.tensor2d(pos, [1, items]),
    ...(shown.length > 0 && negativeWeight > 0 ? { negatives: tf.tensor2d(neg, [1, items]) } : {}),
    count: tf.tensor2d([total], [1, 1]),
    ...(neighbours ? { neighbours: tf.tensor2d(neighbours.row, [1, items]) } : {}),
  };
}

/** Frees the tensors of feedback rows. */
export function disposeFeedback(rows: FeedbackBatch): void {
  tf.dispose([rows.positives, rows.negatives, rows.excluded, rows.count, rows.neighbours].filter((t) => t !== undefined));
}
