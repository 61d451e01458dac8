import type { Dataset } from '../data/dataset';
import type { CatalogItem } from '../artifact/format';
import { sha256Hex } from '../artifact/sha256';
import { createRng } from '../math/rng';
import { userRole, type PreparedData } from '../protocol/data';
import type { FoldData } from '../protocol/types';
import type { TrainingData } from './types';

/**
 * Training data for a shipped model: every user is a training task except the
 * protocol's validation bucket of `fold`, which chooses the best iteration.
 */
export function shippingSplit(data: PreparedData, fold: number, minPositives: number): TrainingData {
  const train: Int32Array[] = [];
  const validation = [];
  for (const u of data.users) {
    if (userRole(u.user, fold) !== 'validation') train.push(u.items);
    else if (u.items.length >= minPositives) validation.push(u);
  }
  if (validation.length === 0) {
    throw new Error(`No validation user has ${minPositives} or more positives: lower --min-positives (now ${minPositives}).`);
  }
  return { tags: data.content.map((c) => c?.tags), train, validation };
}

/** The catalog as shipped: ids in catalog order with their titles, tags and any url and image. */
export function catalogItems(data: PreparedData): CatalogItem[] {
  return data.catalog.map((id, i) => {
    const { url, image } = data.content[i] ?? {};
    return { id, title: data.content[i]?.title ?? id, tags: data.content[i]?.tags ?? [], ...(url ? { url } : {}), ...(image ? { image } : {}) };
  });
}

/** SHA-256 of the interaction rows in file order, so an artifact names the exact data it came from. */
export async function dataFingerprint(dataset: Dataset): Promise<string> {
  const rows = dataset.interactions.map((r) => `${r.user}\t${r.item}\t${r.timestamp ?? ''}\t${r.rating ?? ''}\n`);
  return sha256Hex(new TextEncoder().encode(rows.join('')));
}

/** A benchmark fold as training data: its training users, and its validation users to choose the best iteration on. */
export function trainingDataFromFold(fold: FoldData): TrainingData {
  return { tags: fold.content.map((c) => c?.tags), train: fold.train.map((u) => u.items), validation: fold.validation };
}

/** Scorings (validation users × catalog items) one validation costs under the automatic cap: 2,000 users at 20,000 items. */
export const VALIDATION_SCORINGS = 40_000_000;
/** Most and fewest validation users the automatic cap keeps. */
export const AUTO_VALIDATION_USERS = { max: 2000, min: 300 } as const;

/**
 * Validation users a run keeps at most: `setting` when given (> 0); else 0
 * means automatic: 2,000, and fewer above 20,000 items so that one validation
 * costs about the same on any catalog (400 at 100,000 items), never below 300.
 */
export function validationUserCap(setting: number, items: number): number {
  if (setting > 0) return setting;
  const scaled = Math.floor(VALIDATION_SCORINGS / Math.max(1, items));
  return Math.max(AUTO_VALIDATION_USERS.min, Math.min(AUTO_VALIDATION_USERS.max, scaled));
}

/**
 * At most `max` validation users: a seeded subset, kept in protocol order.
 * Validation scores every user against the whole catalog at every checkpoint
 * and every trial of the searches, so at a site's scale (tens of thousands of
 * validation users × 100k items) it would outweigh training itself.
 */
export function validationSubset<U>(users: readonly U[], max: number, seed: number): readonly U[] {
  if (users.length <= max) return users;
  const keep = createRng(`${seed}:validation`).sample(users.length, max).sort((a, b) => a - b);
  return keep.map((i) => users[i]!);
}
