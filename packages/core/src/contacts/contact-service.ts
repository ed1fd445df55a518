import type { Writable } from 'node:stream';
import type { Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import { freshRecord, orNull, ownedRecords, type RecordService } from '../records.js';
import type { Storage } from '../storage/storage.js';
import { fieldErrors, parse, readPage, validationError, type Page } from '../validation.js';
import {
  bulkDeleteContactsSchema,
  createContactSchema,
  importContactsSchema,
  listContactsSchema,
  updateContactSchema,
  type Contact,
  type ContactFilter,
  type ContactImportReport,
  type ContactStatistics,
  type CreateContactData,
  type CreateContactInput,
  type ListContactsInput,
  type UpdateContactInput,
} from './contact-schemas.js';
import {
  CONTACT_HEADER_ALIASES,
  detectSpreadsheetFile,
  explainRoundedPhone,
  HEADER_SCAN_ROWS,
  readSpreadsheetRows,
  writeSpreadsheet,
  type ContactImportField,
  type HeaderMatch,
  type HeaderSpec,
} from './spreadsheet.js';

/** The columns of exports and of the import template, in order, with the record field each holds. */
export const CONTACT_COLUMNS: Array<[header: string, field: ContactImportField | 'is_active']> = [
  ['Name', 'name'],
  ['Phone', 'phone'],
  ['Email', 'email'],
  ['Company', 'company'],
  ['Position', 'position'],
  ['Address', 'address'],
  ['City', 'city'],
  ['Country', 'country'],
  ['Notes', 'notes'],
  ['Active', 'is_active'],
];

// Rows are validated and written in batches: one lookup of existing phones per batch, not per row.
const IMPORT_BATCH = 500;

/** A prepared export: what to call the file, its type, and how to write it. */
export interface ContactExport {
  filename: string;
  contentType: string;
  write(output: Writable): Promise<void>;
}

/**
 * The address book: CRUD, search, statistics, bulk delete, spreadsheet import and export. Phones are normalised
 * and unique per user whatever their spelling (create and update throw `conflict` for one taken); removing a
 * contact removes its group memberships.
 */
export interface ContactService extends RecordService<
  Contact,
  CreateContactInput,
  UpdateContactInput,
  ListContactsInput
> {
  /** Deletes the actor's contacts among `ids`, reporting (never touching) the others; throws `validation`. */
  bulkRemove(actor: Actor, input: unknown): Promise<{ deleted: number; not_found: string[] }>;
  /** Totals, activity, and the top countries and cities. */
  statistics(actor: Actor): Promise<ContactStatistics>;
  /**
   * Imports an .xlsx or .csv file in one transaction: all its good rows or nothing. A number already in the
   * book (or earlier in the file) is skipped with `skip_duplicates`, else that contact is updated. The header
   * and its sheet are found by their names, totals and note rows skipped (see readSpreadsheetRows); throws
   * `validation` for bad options or a file it cannot read as a spreadsheet.
   */
  importFile(actor: Actor, file: { path: string; filename?: string }, options?: unknown): Promise<ContactImportReport>;
  /**
   * Validates the export's filters and reads its first page now, so a bad query (`validation`) or one the
   * database refuses is an error answer before any byte is sent, and returns its writer.
   */
  prepareExport(actor: Actor, input?: ListContactsInput & { format?: string }): Promise<ContactExport>;
  /** Writes the import template: the header row an import expects. */
  writeTemplate(output: Writable): Promise<void>;
}

/** Builds the {@link ContactService}; national numbers are read with `defaultCountryCode`. */
export function createContactService(deps: {
  storage: Storage;
  clock: Clock;
  defaultCountryCode: string;
}): ContactService {
  const { storage, clock } = deps;
  const createSchema = createContactSchema(deps.defaultCountryCode);
  const updateSchema = updateContactSchema(deps.defaultCountryCode);

  const toFilter = (query: ReturnType<typeof listContactsSchema.parse>): ContactFilter => ({
    search: query.search || undefined,
    groupId: query.group_id,
    isActive: query.is_active,
    sort: query.sort,
    order: query.order ?? (query.sort === 'created_at' || query.sort === 'updated_at' ? 'desc' : 'asc'),
  });

  const { get, update, remove } = ownedRecords(storage.contacts, 'Contact', clock);

  return {
    get,

    async create(actor: Actor, input: CreateContactInput): Promise<Contact> {
      const data = parse(createSchema, input);
      const now = clock.now().toISOString();
      // The unique index decides, not a read-then-write: two concurrent creates cannot both win.
      return storage.contacts.insert(newContact(actor.userId, data, now));
    },

    async list(actor: Actor, input: ListContactsInput = {}): Promise<Page<Contact>> {
      const query = parse(listContactsSchema, input);
      return readPage(query, (range) => storage.contacts.list(actor.userId, toFilter(query), range));
    },

    update: async (actor: Actor, id: string, input: UpdateContactInput) =>
      update(actor, id, parse(updateSchema, input)),

    remove,

    async bulkRemove(actor: Actor, input: unknown): Promise<{ deleted: number; not_found: string[] }> {
      const { ids } = parse(bulkDeleteContactsSchema, input);
      const deleted = await storage.contacts.removeMany(actor.userId, ids);
      const gone = new Set(deleted);
      return { deleted: deleted.length, not_found: ids.filter((id) => !gone.has(id)) };
    },

    statistics(actor: Actor): Promise<ContactStatistics> {
      const now = clock.now();
      const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
      return storage.contacts.statistics(actor.userId, monthStart);
    },

    async importFile(
      actor: Actor,
      file: { path: string; filename?: string },
      options: unknown = {},
    ): Promise<ContactImportReport> {
      const flags = parse(importContactsSchema, options);
      const kind = await detectSpreadsheetFile(file.path, file.filename);
      const report: ContactImportReport = {
        total_rows: 0,
        imported: 0,
        updated: 0,
        skipped: 0,
        failed: 0,
        sheet: null,
        header_row: 0,
        rows: [],
      };
      let columns: HeaderMatch<ContactImportField | 'is_active'> | undefined;

      await storage.transaction(async (tx) => {
        const seen = new Map<string, string>(); // phone → contact id, for numbers met earlier in this file
        let batch: Array<{ row: number; data: CreateContactData }> = [];

        const flush = async () => {
          if (batch.length === 0) return;
          const existing = await tx.contacts.findByPhones(
            actor.userId,
            batch.map((b) => b.data.phone).filter((p) => !seen.has(p)),
          );
          for (const contact of existing) seen.set(contact.phone, contact.id);
          const now = clock.now().toISOString();
          const fresh: Contact[] = [];
          for (const { row, data } of batch) {
            const known = seen.get(data.phone);
            if (known && flags.skip_duplicates) {
              report.skipped++;
              report.rows.push({ row, status: 'skipped', phone: data.phone, reason: 'duplicate phone number' });
            } else if (known) {
              await tx.contacts.update(actor.userId, known, { ...withoutEmpty(data), updated_at: now });
              report.updated++;
              report.rows.push({
                row,
                status: 'updated',
                phone: data.phone,
                reason: 'phone number already in contacts: updated',
              });
            } else {
              const contact = newContact(actor.userId, data, now);
              seen.set(data.phone, contact.id);
              fresh.push(contact);
            }
          }
          await tx.contacts.insertMany(fresh);
          report.imported += fresh.length;
          batch = [];
        };

        const rows = readSpreadsheetRows(file.path, kind, {
          header: IMPORT_HEADER,
          onHeaders: (_headers, location, match) => {
            columns = match;
            report.sheet = location.sheet;
            report.header_row = location.row;
          },
        });
        for await (const { row, values, skip } of rows) {
          report.total_rows++;
          if (skip) {
            report.skipped++;
            report.rows.push({ row, status: 'skipped', phone: null, reason: skip });
            continue;
          }
          const input = rowInput(values, columns!, flags.set_active);
          const result = createSchema.safeParse(input);
          if (!result.success) {
            const errors = explainRoundedPhone(fieldErrors(result.error), input.phone);
            report.failed++;
            report.rows.push({
              row,
              status: 'failed',
              phone: typeof input.phone === 'string' ? input.phone : null,
              reason: `invalid ${Object.keys(errors).join(', ')}`,
              errors,
            });
            continue;
          }
          batch.push({ row, data: result.data });
          if (batch.length >= IMPORT_BATCH) await flush();
        }
        await flush();
      });
      return report;
    },

    async prepareExport(actor: Actor, input: ListContactsInput & { format?: string } = {}): Promise<ContactExport> {
      const { format = 'xlsx', ...rest } = input;
      if (format !== 'xlsx' && format !== 'csv') throw validationError({ format: ['must be xlsx or csv'] });
      const filter = toFilter(parse(listContactsSchema, rest));
      const extra = await storage.contacts.extraFieldNames(actor.userId);
      const pages = storage.contacts.scan(actor.userId, filter)[Symbol.asyncIterator]();
      const firstPage = await pages.next();
      const date = clock.now().toISOString().slice(0, 10);
      return {
        filename: `contacts-${date}.${format}`,
        contentType:
          format === 'xlsx'
            ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
            : 'text/csv; charset=utf-8',
        write: (output) =>
          writeSpreadsheet(
            output,
            format,
            [...CONTACT_COLUMNS.map(([header]) => header), ...extra],
            exportRows(firstPage, pages, extra),
            { sheetName: 'Contacts' },
          ),
      };
    },

    writeTemplate(output: Writable): Promise<void> {
      return writeSpreadsheet(
        output,
        'xlsx',
        CONTACT_COLUMNS.map(([header]) => header),
        [],
        { sheetName: 'Contacts' },
      );
    },
  };
}

const IMPORT_ALIASES = {
  ...CONTACT_HEADER_ALIASES,
  is_active: ['active', 'is active', 'aktif', 'status aktif'],
} as const;

const IMPORT_HEADER: HeaderSpec<ContactImportField | 'is_active'> = {
  aliases: IMPORT_ALIASES,
  required: 'phone',
  key: 'phone',
  missing: `has no phone column (expected a header such as Phone, No HP or WhatsApp in the first ${HEADER_SCAN_ROWS} rows of a sheet)`,
};

// A Map, not an object: a cell reading `constructor` must not find Object's own.
const BOOLEAN_WORDS = new Map(
  Object.entries({
    yes: true,
    ya: true,
    true: true,
    '1': true,
    active: true,
    aktif: true,
    no: false,
    tidak: false,
    false: false,
    '0': false,
    inactive: false,
  }),
);

/** A new contact of `userId` from validated create input, with a fresh id; absent fields are null. */
function newContact(userId: string, data: CreateContactData, now: string): Contact {
  return {
    ...freshRecord(now),
    user_id: userId,
    name: data.name,
    phone: data.phone,
    ...orNull(data, ['email', 'company', 'position', 'address', 'city', 'country', 'notes']),
    is_active: data.is_active ?? true,
    extra_fields: data.extra_fields ?? {},
  };
}

/** A spreadsheet row as create-contact input: known columns by field, the other columns as extra fields. */
function rowInput(
  values: Record<string, string>,
  columns: HeaderMatch<ContactImportField | 'is_active'>,
  setActive: boolean | undefined,
) {
  const input: Record<string, unknown> = {};
  for (const [field, header] of Object.entries(columns.fields) as Array<[string, string]>)
    input[field] = values[header]?.trim() ?? '';
  const activeCell = typeof input.is_active === 'string' ? BOOLEAN_WORDS.get(input.is_active.toLowerCase()) : undefined;
  input.is_active = setActive ?? activeCell ?? true;
  // A row with a number but no name is still a contact; its number names it until someone edits it.
  if (!input.name && input.phone) input.name = input.phone;
  const extra: Record<string, string> = {};
  for (const header of columns.extra) if (values[header]?.trim()) extra[header] = values[header].trim();
  if (Object.keys(extra).length > 0) input.extra_fields = extra;
  return input;
}

/** The fields of an import row that carry a value: an update never blanks what the book already knows. */
function withoutEmpty<T extends Record<string, unknown>>(data: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(data).filter(([, v]) => v !== null && v !== undefined && v !== ''),
  ) as Partial<T>;
}

// Phones are written in international form (+65…): bare digits would read back as national numbers.
async function* exportRows(firstPage: IteratorResult<Contact[]>, pages: AsyncIterator<Contact[]>, extra: string[]) {
  for (let page = firstPage; !page.done; page = await pages.next()) {
    for (const c of page.value) {
      yield [
        ...CONTACT_COLUMNS.map(([, field]) =>
          field === 'is_active' ? (c.is_active ? 'yes' : 'no') : field === 'phone' ? `+${c.phone}` : c[field],
        ),
        ...extra.map((name) => c.extra_fields[name] ?? ''),
      ];
    }
  }
}
