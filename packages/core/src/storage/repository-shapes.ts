/** How far searches count their matches before reporting a lower bound. */
export const SEARCH_COUNT_CAP = 1000;

/** Limit and offset of one page of a list. */
export interface Range {
  limit: number;
  offset: number;
}

/** Rows of one page and how many rows matched in all. */
export interface Slice<T> {
  items: T[];
  total: number;
  /** Set when counting stopped at a cap (broad searches): there are at least `total` matches. */
  totalIsLowerBound?: boolean;
}

/** What an update may change of a stored record: any field but its id, its owner and its creation time. */
export type RecordChanges<T> = Partial<Omit<T, 'id' | 'user_id' | 'created_at'>>;
