import type { Range, Slice, Template, TemplateRepository } from '@kirim/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, TemplatesTable } from '../database.js';
import { containing } from '../containing.js';
import { fromFlag } from '../flags.js';
import { findRow, removeRow, updateRow } from '../keyed-rows.js';
import { selectPage } from '../select-page.js';

const toRecord = (row: Selectable<TemplatesTable>): Template => ({
  ...row,
  message_type: row.message_type as Template['message_type'],
  is_active: fromFlag(row.is_active),
  placeholders: JSON.parse(row.placeholders),
});

function toRow<T extends Partial<Template>>(t: T) {
  const { placeholders, is_active, ...rest } = t;
  return {
    ...rest,
    ...(placeholders !== undefined ? { placeholders: JSON.stringify(placeholders) } : {}),
    ...(is_active !== undefined ? { is_active: Number(is_active) } : {}),
  };
}

/** Templates on Kysely. */
export class KyselyTemplateRepository implements TemplateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(template: Template): Promise<Template> {
    await this.db
      .insertInto('templates')
      .values(toRow(template) as TemplatesTable)
      .execute();
    return template;
  }

  async get(userId: string, id: string): Promise<Template | undefined> {
    const row = await findRow(this.db, 'templates', { user_id: userId, id });
    return row && toRecord(row);
  }

  async list(
    userId: string,
    filter: { search?: string; messageType?: string; isActive?: boolean },
    range: Range,
  ): Promise<Slice<Template>> {
    let query = this.db.selectFrom('templates').where('user_id', '=', userId);
    if (filter.messageType) query = query.where('message_type', '=', filter.messageType);
    if (filter.isActive !== undefined) query = query.where('is_active', '=', Number(filter.isActive));
    if (filter.search) {
      const search = filter.search;
      query = query.where((eb) => eb.or([containing('name', search), containing('content', search)]));
    }
    const { rows, total } = await selectPage(query, range, (q) =>
      q.selectAll().orderBy('created_at', 'desc').orderBy('id'),
    );
    return { items: rows.map(toRecord), total };
  }

  async update(
    userId: string,
    id: string,
    changes: Partial<Omit<Template, 'id' | 'user_id' | 'created_at'>>,
  ): Promise<Template | undefined> {
    await updateRow(this.db, 'templates', { user_id: userId, id }, toRow(changes));
    return this.get(userId, id);
  }

  async remove(userId: string, id: string): Promise<boolean> {
    return removeRow(this.db, 'templates', { user_id: userId, id });
  }
}
