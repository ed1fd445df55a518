import type { Kysely, Selectable, Updateable, WhereInterface } from 'kysely';
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
