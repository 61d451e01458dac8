/** One row of an interaction log, ids exactly as they appear in the file. */
export interface Interaction {
  readonly user: string;
  readonly item: string;
  /** Seconds since the epoch, when the source has time. */
  readonly timestamp?: number;
  /** Explicit rating, when the source has one. */
  readonly rating?: number;
}

/** Content known about an item: the only thing a cold item is scored from. */
export interface ItemContent {
  readonly id: string;
  readonly title: string;
  /** Categories, genres or tags; multi-hot features of the model. */
  readonly tags: readonly string[];
  /** The item's page and picture (items.csv columns `url`, `image`), shown by a product card. */
  readonly url?: string;
  readonly image?: string;
}

/** A loaded interaction log plus whatever item content the source has. */
export interface Dataset {
  /** e.g. "movielens-100k", "lastfm", "synthetic". */
  readonly name: string;
  readonly interactions: readonly Interaction[];
  /** Content for the items the source describes (may be empty: ids only). */
  readonly items: readonly ItemContent[];
  readonly hasRatings: boolean;
  readonly hasTimestamps: boolean;
}
