import { sql, type RawBuilder } from 'kysely';

/**
 * Every status a message row takes goes through here, so its `status_history` (a JSON array of
 * `{status, at}`, oldest first) holds each one with its time. The history grows in the statement that
 * moves the status, by plain text operations both dialects share: no read of it, no race with another writer.
 */

/** The history entries for `steps`, each at `at`, as JSON array elements (comma-separated, no brackets). */
export function historyEntries(steps: string[], at: string): string {
  return steps.map((status) => JSON.stringify({ status, at })).join(',');
}

/** A new row's `status_history`: the status it is stored with, at its creation. */
export function firstHistory(status: string, at: string): string {
  return `[${historyEntries([status], at)}]`;
}

/** A row's values moving it to `status` at `at`, for `updateRows` with `append: ['status_history']`. */
export function statusValues(status: string, at: string): { status: string; status_history: string } {
  return { status, status_history: historyEntries([status], at) };
}

/** SQL text appending `entries` (SQL of JSON array elements) to the JSON array in the text column `column`. */
export function appendedJson(column: string, entries: string): string {
  return `case when ${column} = '[]' then '[' || ${entries} || ']' else substr(${column}, 1, length(${column}) - 1) || ',' || ${entries} || ']' end`;
}

/**
 * The assignments moving a row to `status` at `at`, its history recording each of `steps` (default: `status` alone;
 * receipts can take a message through several at once). The entries go in as a literal: statuses and ISO times only.
 */
export function toStatus(
  status: string,
  at: string,
  steps: string[] = [status],
): { status: string; status_history: RawBuilder<string> } {
  const literal = `'${historyEntries(steps, at).replaceAll("'", "''")}'`;
  return { status, status_history: sql.raw<string>(appendedJson('"status_history"', literal)) };
}
