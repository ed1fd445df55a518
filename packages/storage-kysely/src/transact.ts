import type { Kysely } from 'kysely';
import type { Database } from './database.js';

/** Runs `work` in a transaction, joining the one `db` is already in (Kysely cannot nest them). */
export function transact<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/**
 * Runs several reads against one snapshot, so a page and its total agree while rows are being written
 * (a message arriving between them would otherwise count in the total but miss the page).
 */
export function readSnapshot<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().setIsolationLevel('repeatable read').execute(work);
}
