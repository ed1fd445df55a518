import type { Insertable, Kysely, Selectable, Updateable, WhereInterface } from 'kysely';
import type { Database } from './database.js';

/** The columns that pick a row out, each with the value it must have: its id, and often the user who owns it. */
export type RowKey<T extends keyof Database> = Partial<Selectable<Database[T]>>;

// The caller's types hold the table to its columns; Kysely's cannot follow a table given as a type parameter.
type AnyTables = Record<string, Record<string, unknown>>;
const loose = (db: Kysely<Database>) => db as unknown as Kysely<AnyTables>;

function byKey<Q extends WhereInterface<AnyTables, string>>(query: Q, key: object): Q {
  let keyed: WhereInterface<AnyTables, string> = query;
  for (const [column, value] of Object.entries(key)) keyed = keyed.where(column, '=', value);
  return keyed as Q;
}

/** The row of `table` with this key, or undefined. */
export async function findRow<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  key: RowKey<T>,
): Promise<Selectable<Database[T]> | undefined> {
  const query = loose(db).selectFrom<string>(table).selectAll();
  return (await byKey(query, key).executeTakeFirst()) as Selectable<Database[T]> | undefined;
}

/** The rows of `table` with this key, oldest first (then by id). */
export async function listRows<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  key: RowKey<T>,
): Promise<Array<Selectable<Database[T]>>> {
  const query = byKey(loose(db).selectFrom<string>(table).selectAll(), key);
  return (await query.orderBy('created_at').orderBy('id').execute()) as Array<Selectable<Database[T]>>;
}

/** Inserts the rows whose `key` columns match no row of `table`, leaving those that do; returns how many were new. */
export async function insertNew<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: Array<Insertable<Database[T]>>,
  key: Array<keyof Database[T] & string>,
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await loose(db)
    .insertInto<string>(table)
    .values(rows as Array<Record<string, unknown>>)
    .onConflict((oc) => oc.columns(key).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** Applies `changes` to the row of `table` with this key; no statement when there are none. */
export async function updateRow<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  key: RowKey<T>,
  changes: Updateable<Database[T]>,
): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  const query = loose(db)
    .updateTable<string>(table)
    .set(changes as Record<string, unknown>);
  await byKey(query, key).execute();
}

/** Deletes the row of `table` with this key; false if there was none. */
export async function removeRow<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  key: RowKey<T>,
): Promise<boolean> {
  const result = await byKey(loose(db).deleteFrom<string>(table), key).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The tables whose rows belong to a user: an `id` and a `user_id` column. */
type OwnedTable = {
  [T in keyof Database]: Database[T] extends { id: string; user_id: string } ? T : never;
}[keyof Database];

/** The ids among `ids` that are rows of `table` owned by `userId`; no statement when `ids` is empty. */
export async function ownedIds(
  db: Kysely<Database>,
  table: OwnedTable,
  userId: string,
  ids: string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await loose(db)
    .selectFrom<string>(table)
    .select('id')
    .where('user_id', '=', userId)
    .where('id', 'in', ids)
    .execute();
  return rows.map((row) => row.id as string);
}
