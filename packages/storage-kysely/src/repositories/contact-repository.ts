import {
  SEARCH_COUNT_CAP,
  type Contact,
  type ContactFilter,
  type ContactRepository,
  type ContactStatistics,
  type Range,
  type RecordChanges,
  type Slice,
} from '@kirim/core';
import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { ContactsTable, Database } from '../database.js';
import type { SqlDialect } from '../dialect.js';
import { fromFlag } from '../flags.js';
import { findRow, insertNew, ownedIds, removeRow, updateRow } from '../keyed-rows.js';

const SEARCHED = ['name', 'phone', 'email', 'company'] as const;
const ANALYZE_AFTER_ROWS = 1000;

/** What `search` matches: the searched fields, lower-cased, in one column a trigram index covers. */
export function contactSearchText(c: Pick<Contact, (typeof SEARCHED)[number]>): string {
  return SEARCHED.map((field) => c[field] ?? '')
    .join(' ')
    .toLowerCase();
}

/** Contact rows ↔ records. */
export function contactFromRow(row: Selectable<ContactsTable>): Contact {
  const { search_text: _, ...rest } = row;
  return { ...rest, is_active: fromFlag(row.is_active), extra_fields: JSON.parse(row.extra_fields) };
}

function toRow(c: Contact): ContactsTable {
  return {
    ...c,
    is_active: Number(c.is_active),
    extra_fields: JSON.stringify(c.extra_fields),
    search_text: contactSearchText(c),
  };
}

/** Contacts on Kysely, with substring search through FTS5 trigrams (SQLite) or pg_trgm (PostgreSQL). */
export class KyselyContactRepository implements ContactRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insert(contact: Contact): Promise<Contact> {
    await this.db.insertInto('contacts').values(toRow(contact)).execute();
    await this.rememberExtraFields(contact.user_id, Object.keys(contact.extra_fields), contact.created_at);
    return contact;
  }

  async insertMany(contacts: Contact[]): Promise<void> {
    // Bound parameters per statement stay under SQLite's limit (32766) and keep PostgreSQL's plans small.
    for (let i = 0; i < contacts.length; i += 500) {
      const chunk = contacts.slice(i, i + 500);
      await this.db.insertInto('contacts').values(chunk.map(toRow)).execute();
    }
    // Fresh statistics after a large import: until autovacuum gets to it, stale ones make PostgreSQL
    // plan searches as table scans.
    if (this.dialect.analyzesAfterBulkInsert && contacts.length >= ANALYZE_AFTER_ROWS)
      await sql`ANALYZE contacts`.execute(this.db);
    const byUser = new Map<string, Set<string>>();
    for (const c of contacts)
      for (const name of Object.keys(c.extra_fields))
        (byUser.get(c.user_id) ?? byUser.set(c.user_id, new Set()).get(c.user_id)!).add(name);
    for (const [userId, names] of byUser) await this.rememberExtraFields(userId, [...names], contacts[0].created_at);
  }

  async get(userId: string, id: string): Promise<Contact | undefined> {
    const row = await findRow(this.db, 'contacts', { user_id: userId, id });
    return row && contactFromRow(row);
  }

  async findByPhones(userId: string, phones: string[]): Promise<Contact[]> {
    if (phones.length === 0) return [];
    const rows = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('user_id', '=', userId)
      .where('phone', 'in', phones)
      .execute();
    return rows.map(contactFromRow);
  }

  ownedIds(userId: string, ids: string[]): Promise<string[]> {
    return ownedIds(this.db, 'contacts', userId, ids);
  }

  async list(userId: string, filter: ContactFilter, range: Range): Promise<Slice<Contact>> {
    let found: { rows: Selectable<ContactsTable>[]; total: number };
    if (filter.search && usesTrigrams(searchTerm(filter.search))) {
      // Left to itself, a database plans every search alike from estimates that are often wrong
      // (matches clustered at one end of the book, trigrams that every phone number shares), and some
      // terms then scan a user's whole book. So a narrow term is read from its few matches through the
      // trigram index; a broad one's page by walking the user's rows in the sort's order until it is full.
      found = (await this.narrowSearch(userId, filter, range)) ?? {
        rows: await this.page(this.filtered(this.db, userId, filter), filter, range),
        total: Infinity,
      };
    } else {
      const base = this.filtered(this.db, userId, filter);
      // Both at once: on PostgreSQL they run on two pooled connections.
      const [rows, total] = await Promise.all([
        this.page(base, filter, range),
        countUpTo(this.db, base, filter.search ? SEARCH_COUNT_CAP : undefined),
      ]);
      found = { rows, total };
    }
    const lowerBound = Boolean(filter.search) && found.total > SEARCH_COUNT_CAP;
    return {
      items: found.rows.map(contactFromRow),
      total: lowerBound ? SEARCH_COUNT_CAP : found.total,
      ...(lowerBound ? { totalIsLowerBound: true } : {}),
    };
  }

  async *scan(userId: string, filter: ContactFilter, batchSize = 1000): AsyncIterable<Contact[]> {
    let after: { created_at: string; id: string } | undefined;
    for (;;) {
      let query = this.filtered(this.db, userId, filter).selectAll('contacts');
      if (after) {
        const { created_at, id } = after;
        query = query.where((eb) =>
          eb.or([
            eb('contacts.created_at', '>', created_at),
            eb.and([eb('contacts.created_at', '=', created_at), eb('contacts.id', '>', id)]),
          ]),
        );
      }
      const rows = await query.orderBy('contacts.created_at').orderBy('contacts.id').limit(batchSize).execute();
      if (rows.length === 0) return;
      yield rows.map(contactFromRow);
      const last = rows[rows.length - 1];
      after = { created_at: last.created_at, id: last.id };
    }
  }

  async update(userId: string, id: string, changes: RecordChanges<Contact>): Promise<Contact | undefined> {
    const current = await this.get(userId, id);
    if (!current) return undefined;
    const next: Contact = { ...current, ...changes };
    const { id: _id, user_id: _user, created_at: _created, ...row } = toRow(next);
    await updateRow(this.db, 'contacts', { user_id: userId, id }, row);
    if (changes.extra_fields)
      await this.rememberExtraFields(userId, Object.keys(changes.extra_fields), next.updated_at);
    return next;
  }

  async remove(userId: string, id: string): Promise<boolean> {
    return removeRow(this.db, 'contacts', { user_id: userId, id });
  }

  async removeMany(userId: string, ids: string[]): Promise<string[]> {
    const owned = await this.ownedIds(userId, ids);
    if (owned.length > 0)
      await this.db.deleteFrom('contacts').where('user_id', '=', userId).where('id', 'in', owned).execute();
    return owned;
  }

  async statistics(userId: string, monthStart: string): Promise<ContactStatistics> {
    const totals = await this.db
      .selectFrom('contacts')
      .where('user_id', '=', userId)
      .select((eb) => [
        eb.fn.countAll().as('total'),
        eb.fn.sum(eb.case().when('is_active', '=', 1).then(1).else(0).end()).as('active'),
        eb.fn.sum(eb.case().when('email', 'is not', null).then(1).else(0).end()).as('with_email'),
        eb.fn.sum(eb.case().when('created_at', '>=', monthStart).then(1).else(0).end()).as('added_this_month'),
      ])
      .executeTakeFirstOrThrow();
    const inGroups = await this.db
      .selectFrom('contacts')
      .where('user_id', '=', userId)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('contact_group_members as m')
            .select('m.contact_id')
            .whereRef('m.contact_id', '=', 'contacts.id'),
        ),
      )
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const top = async (column: 'country' | 'city') =>
      (
        await this.db
          .selectFrom('contacts')
          .where('user_id', '=', userId)
          .where(column, 'is not', null)
          .select([column, (eb) => eb.fn.countAll().as('count')])
          .groupBy(column)
          .orderBy('count', 'desc')
          .orderBy(column)
          .limit(10)
          .execute()
      ).map((r) => ({ [column]: r[column] as string, count: Number(r.count) }));
    const total = Number(totals.total);
    const active = Number(totals.active ?? 0);
    return {
      total,
      active,
      inactive: total - active,
      with_email: Number(totals.with_email ?? 0),
      in_groups: Number(inGroups.n),
      added_this_month: Number(totals.added_this_month ?? 0),
      by_country: (await top('country')) as ContactStatistics['by_country'],
      by_city: (await top('city')) as ContactStatistics['by_city'],
    };
  }

  async extraFieldNames(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('contact_extra_fields')
      .select('name')
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('name')
      .execute();
    return rows.map((r) => r.name);
  }

  private async rememberExtraFields(userId: string, names: string[], at: string): Promise<void> {
    const fields = names.map((name) => ({ user_id: userId, name, created_at: at }));
    await insertNew(this.db, 'contact_extra_fields', fields, ['user_id', 'name']);
  }

  private page(base: FilteredContacts, filter: ContactFilter, range: Range) {
    return base
      .selectAll('contacts')
      .orderBy(`contacts.${filter.sort}` as const, filter.order)
      .orderBy('contacts.id')
      .limit(range.limit)
      .offset(range.offset)
      .execute();
  }

  /**
   * A search's page and match count read through the trigram index alone, or undefined when the term
   * matches more rows than that way reads faster than walking the user's rows in order.
   */
  private async narrowSearch(userId: string, filter: ContactFilter, range: Range) {
    if (this.dialect.trigramIndex === 'fts5') {
      // The unary plus keeps SQLite off the user's indexes, so both queries start from the full-text
      // index's matches; counting first is cheap, as it stops past the cap.
      const fromMatches = this.filtered(this.db, userId, filter, sql<string>`+contacts.user_id`);
      const total = await countUpTo(this.db, fromMatches, SEARCH_COUNT_CAP);
      return total > SEARCH_COUNT_CAP ? undefined : { rows: await this.page(fromMatches, filter, range), total };
    }
    // PostgreSQL: the matching rows (up to a bound) in one statement, with no other scan of the table
    // allowed in this transaction (there is no pg_hint_plan to name the index).
    return this.db.transaction().execute(async (trx) => {
      await sql`SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)`.execute(
        trx,
      );
      const base = this.filtered(trx, userId, filter);
      const rows = await trx
        .with(
          (cte) => cte('m').materialized(),
          () => base.selectAll('contacts').limit(PG_NARROW_MATCHES + 1),
        )
        .selectFrom('m')
        .selectAll('m')
        .select((eb) => eb.selectFrom('m').select(eb.fn.countAll().as('n')).as('matches'))
        .orderBy(`m.${filter.sort}` as const, filter.order)
        .orderBy('m.id')
        .limit(range.limit)
        .offset(range.offset)
        .execute();
      // No row: the page lies past the last match, and only a count tells how many there are.
      const total = rows.length > 0 ? Number(rows[0].matches) : await countUpTo(trx, base, PG_NARROW_MATCHES);
      if (total > PG_NARROW_MATCHES) return undefined;
      return { rows: rows.map(({ matches: _, ...row }) => row), total };
    });
  }

  /** The user's contacts narrowed by the filter's search, group and activity; `owner` is the user id's column expression. */
  private filtered(db: Kysely<Database>, userId: string, filter: ContactFilter, owner = sql<string>`contacts.user_id`) {
    let query = db.selectFrom('contacts').where(owner, '=', userId);
    if (filter.isActive !== undefined) query = query.where('contacts.is_active', '=', Number(filter.isActive));
    if (filter.groupId) {
      const groupId = filter.groupId;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('contact_group_members as m')
            .select('m.contact_id')
            .whereRef('m.contact_id', '=', 'contacts.id')
            .where('m.group_id', '=', groupId),
        ),
      );
    }
    if (filter.search) {
      const term = searchTerm(filter.search);
      query = query.where((eb) => this.matches(eb, term));
    }
    return query;
  }

  private matches(eb: ExpressionBuilder<Database, 'contacts'>, term: string) {
    if (this.dialect.trigramIndex === 'fts5' && usesTrigrams(term)) {
      const phrase = `"${term.replace(/"/g, '""')}"`;
      return eb(
        'contacts.rowid' as 'contacts.id',
        'in',
        sql<string>`(SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ${phrase})`,
      );
    }
    return eb('contacts.search_text', 'like', `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
}

type FilteredContacts = ReturnType<KyselyContactRepository['filtered']>;

/** How many matches PostgreSQL reads through the trigram index before walking the user's rows instead. */
const PG_NARROW_MATCHES = 5000;

/** The rows of `base`, counted up to one past `cap` when given. */
async function countUpTo(db: Kysely<Database>, base: FilteredContacts, cap?: number): Promise<number> {
  const count =
    cap === undefined
      ? base.select((eb) => eb.fn.countAll().as('n'))
      : db
          .selectFrom(
            base
              .select('contacts.id')
              .limit(cap + 1)
              .as('m'),
          )
          .select((eb) => eb.fn.countAll().as('n'));
  return Number((await count.executeTakeFirstOrThrow()).n);
}

/** Whether trigram indexes serve a search term: they need three characters; shorter terms scan the user's rows. */
function usesTrigrams(term: string): boolean {
  return [...term].length >= 3;
}

/**
 * The text `search` looks for: lower-cased; a term that looks like a phone number is reduced to its
 * digits without a national leading 0, so `0812-345` finds 62812345….
 */
function searchTerm(search: string): string {
  const term = search.trim().toLowerCase();
  if (/^[+\d][\d\s().-]{2,}$/.test(term)) return term.replace(/\D/g, '').replace(/^0/, '');
  return term;
}
