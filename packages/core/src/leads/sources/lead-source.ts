/** One business a lead source found; becomes a lead (merged by phone) when a scrape task saves it. */
export interface LeadCandidate {
  business_name: string;
  address: string | null;
  /** As the source wrote it; normalised when saved (a number that does not parse is kept in `extra.phone_raw`). */
  phone: string | null;
  website: string | null;
  latitude: number | null;
  longitude: number | null;
  /** The lead's `source`: `openstreetmap`, `google_places`, `scraper`. */
  source: string;
  /** What else the source knew (ids, category, rating): becomes the lead's `extra_fields`. */
  extra: Record<string, unknown>;
}

/** What to look for: free text such as `kopi di Bandung`, and how many results are wanted. */
export interface LeadSearchQuery {
  text: string;
  /** A hint: the caller stops reading once it has enough. */
  limit: number;
}

/**
 * The search's link to the task running it. A source calls `checkpoint(state)` just before it yields a
 * candidate, with the state from which a later run continues after that candidate; the runner stores the
 * state together with the saved candidate, so a task resumed after a restart neither repeats nor skips one.
 */
export interface LeadSearchProgress {
  /** The state of the last stored checkpoint of an interrupted run, or undefined to start afresh. */
  readonly resumeFrom: string | undefined;
  /** Aborted when the task stops (shutdown, lost lease): pass it to every request. */
  readonly signal: AbortSignal;
  /** Records where to resume once the next yielded candidate is stored. */
  checkpoint(state: string): void;
}

/** A source's answer to "are you reachable?". */
export interface LeadSourceHealth {
  ok: boolean;
  detail: string;
}

/**
 * Where scrape tasks find businesses. A source that cannot answer throws a KirimError (`unavailable`,
 * `rate_limited`, `validation`) whose message the failed task shows as its reason.
 */
export interface LeadSource {
  /** Stable name, recorded on tasks and as the leads' `source` (`openstreetmap`, `google_places`, `scraper`). */
  readonly name: string;
  /** Candidates matching the query, in a stable order, resuming after `progress.resumeFrom` when set. */
  search(query: LeadSearchQuery, progress: LeadSearchProgress): AsyncIterable<LeadCandidate>;
  /** Whether the source answers now, with a human-readable detail. Never throws. */
  health(): Promise<LeadSourceHealth>;
}
