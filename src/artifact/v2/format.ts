/**
 * Model format v2 (docs/FORMAT.md): what the browser needs and nothing else.
 * `model.json` holds the metadata, the per-visitor parameters and a table of
 * sections; the sections' bytes are one stream cut into `weights-NNN.bin`
 * shards, and the item metadata is cut into `catalog-NNN.json` shards, every
 * shard at most MAX_SHARD_BYTES and listed with its SHA-256 and size.
 */

import type { ArtifactMeta, CatalogItem, FileEntry } from '../format';

export const FORMAT_VERSION_2 = 2 as const;

/** Largest shard, bytes: 4 MB, so HTTP caches keep every file and a download shows progress per file. */
export const MAX_SHARD_BYTES = 4_000_000;

/** Where a section's array lies in the weight stream (the shards concatenated), bytes. */
export interface Span {
  readonly offset: number;
  readonly bytes: number;
}

/** Vectors as int8 codes with one float32 scale per row: value = code × scale. */
export interface Int8RowsSection {
  readonly type: 'int8-rows';
  readonly rows: number;
  /** Codes per row, a multiple of 4. */
  readonly dim: number;
  readonly codes: Span;
  readonly scales: Span;
}

/** Encodings of a column of numbers: float32, or `offset + code × scale` with int16 or int8 codes. */
export const SCALAR_DTYPES = ['float32', 'int16', 'int8'] as const;
export type ScalarDtype = (typeof SCALAR_DTYPES)[number];

/** One number per row. */
export interface ScalarsSection {
  readonly type: 'scalars';
  readonly rows: number;
  readonly dtype: ScalarDtype;
  /** For int16 and int8: value = offset + code × scale. */
  readonly scale?: number;
  readonly offset?: number;
  readonly values: Span;
}

/** Per-row lists of (item, 8-bit weight), see core/item-lists.ts. */
export interface ItemListsSection {
  readonly type: 'item-lists';
  readonly rows: number;
  readonly entries: number;
  /** Value of weight code 1. */
  readonly scale: number;
  readonly counts: Span;
  readonly ids: Span;
  readonly weights: Span;
}

export type Section = Int8RowsSection | ScalarsSection | ItemListsSection;
export const SECTION_TYPES = ['int8-rows', 'scalars', 'item-lists'] as const;

/**
 * Sections every v2 model has. Any other section is a list of items (the
 * item-item `neighbours`, item → next-item `transitions`): a runtime
 * decodes and checks every list and scores with those it knows.
 */
export const REQUIRED_SECTIONS = { vectors: 'int8-rows', context: 'int8-rows', bias: 'scalars' } as const;

/** One catalog shard: its file and how many items (in catalog order) it holds. */
export interface CatalogShard {
  readonly file: string;
  readonly items: number;
}

/** An item's metadata; `url` and `image` come from items.csv columns of those names. */
export type CatalogItemV2 = CatalogItem & { readonly url?: string; readonly image?: string };

export interface MetaV2 extends Omit<ArtifactMeta, 'formatVersion' | 'shape' | 'featureNames' | 'adaptation'> {
  readonly formatVersion: typeof FORMAT_VERSION_2;
  readonly shape: { readonly items: number; readonly dim: number };
  readonly adaptation: { readonly steps: number; readonly negativeWeight: number };
  /** Per-visitor parameters by name, float32 values (JSON numbers round-trip float32 exactly). */
  readonly user: Readonly<Record<string, readonly number[]>>;
  readonly sections: Readonly<Record<string, Section>>;
  /** The weight stream's shards, in order. */
  readonly weights: readonly string[];
  readonly catalog: readonly CatalogShard[];
  readonly files: Readonly<Record<string, FileEntry>>;
}

export interface ModelJsonV2 {
  readonly format: 'localrec-model';
  readonly generatedBy: string;
  readonly localrec: MetaV2;
}
