import type { Actor } from '../actor.js';
import { isAdmin } from '../actor.js';
import type { Clock } from '../clock.js';
import {
  detectSpreadsheetFile,
  explainRoundedPhone,
  HEADER_SCAN_ROWS,
  LEAD_HEADER_ALIASES,
  readSpreadsheetRows,
  type HeaderLocation,
  type HeaderMatch,
  type HeaderSpec,
  type LeadImportField,
} from '../contacts/spreadsheet.js';
import { KirimError, isKirimError, notFound, type FieldErrors } from '../errors.js';
import { freshRecord, orNull, ownedRecords } from '../records.js';
import type { Storage } from '../storage/storage.js';
import { fieldErrors, parse, readPage, validationError, type Page } from '../validation.js';
import {
  bulkLeadStatusSchema,
  syncLeadStatusSchema,
  createLeadSchema,
  importLeadsSchema,
  listLeadsSchema,
  MAX_LEAD_IMPORT_ROWS,
  updateLeadSchema,
  type BulkLeadStatusInput,
  type CreateLeadInput,
  type ImportLeadsInput,
  type Lead,
  type LeadData,
  type LeadFilter,
  type LeadImportReport,
  type LeadStatistics,
  type LeadStatus,
  type ListLeadsInput,
  type UpdateLeadInput,
} from './lead-schemas.js';

/** Leads: CRUD, filters, statistics, bulk status and bulk import; a lead with a phone the user has is merged into it. */
export interface LeadService {
  /** One of the actor's leads; throws `not_found`. */
  get(actor: Actor, id: string): Promise<Lead>;
  /** One page of the actor's leads, filtered, newest first; throws `validation`. */
  list(actor: Actor, input?: ListLeadsInput): Promise<Page<Lead>>;
  /** Adds a lead, or merges it into the owner's lead with the same phone (`merged: true`); throws `validation`, `forbidden`, `not_found`. */
  create(actor: Actor, input: CreateLeadInput): Promise<LeadSaveResult>;
  /** Changes the given fields (no merge on edit); throws `validation`, `not_found`, `conflict` for a phone another lead has. */
  update(actor: Actor, id: string, input: UpdateLeadInput): Promise<Lead>;
  /** Deletes a lead; throws `not_found`. */
  remove(actor: Actor, id: string): Promise<void>;
  /**
   * Sets one status on many leads, all or nothing: if any id is not one of the actor's leads, nothing
   * changes and it throws `not_found` naming each such id as `ids.<index>`; `validation` for bad input.
   */
  bulkStatus(actor: Actor, input: BulkLeadStatusInput): Promise<{ updated: number; status: LeadStatus }>;
  /**
   * Sets each lead's status from the newest message sent to its phone (sent → delivered → read, or failed),
   * or `replied` when the lead wrote back after it; leads never messaged keep theirs. Throws `validation`.
   */
  syncStatus(actor: Actor, input: unknown): Promise<{ updated: number; leads: Lead[] }>;
  /** Counts by status and by source, the total, and how many have a phone and a website. */
  statistics(actor: Actor): Promise<LeadStatistics>;
  /**
   * Imports `leads[]` rows, each validated on its own: bad rows are reported (row = 1-based position, every
   * bad field named), the good ones stored in one transaction; a phone already had, or met earlier, is merged.
   * Throws `validation` for input that is not a list of rows.
   */
  bulkImport(actor: Actor, input: ImportLeadsInput): Promise<LeadImportReport>;
  /**
   * Imports an .xlsx or .csv file with loose headers (`Nama Usaha`, `Telepon`, ...; see LEAD_HEADER_ALIASES),
   * other columns becoming `extra_fields`, rows numbered as the spreadsheet shows them; otherwise as
   * `bulkImport`. Throws `validation` naming `file` for a file that is not a spreadsheet, has no
   * business-name column or more than MAX_LEAD_IMPORT_ROWS rows, with nothing stored.
   */
  importFile(actor: Actor, file: { path: string; filename?: string }): Promise<LeadImportReport>;
}

/** A saved lead and whether it was merged into one the user already had with the same phone. */
export interface LeadSaveResult {
  lead: Lead;
  merged: boolean;
}

// Message statuses a lead takes over as they are; queued and in-flight sends leave the lead as it was.
const SYNCED_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;

// Optional fields a merge fills when the stored lead has none; source, status and the name are the stored lead's own.
const MERGED_FIELDS = ['address', 'website', 'email', 'latitude', 'longitude', 'notes'] as const;

/**
 * Leads: CRUD, filters, statistics, bulk status and bulk import (JSON rows or an .xlsx/.csv file).
 *
 * Duplicates are merged, never doubled: saving a lead whose normalised phone the user already has
 * (by create or import) stores no new lead. Instead the existing lead gains the incoming values of
 * `address`, `website`, `email`, `latitude`, `longitude` and `notes` it has no value for, and the
 * incoming `extra_fields` keys it lacks; everything it already holds, and its `business_name`,
 * `source` and `status`, are kept (a lead already contacted does not go back to `pending` because a
 * scrape found it again). The unique `(user_id, phone)` index decides what is a duplicate, so two
 * concurrent saves of one number cannot both insert.
 */
export function createLeadService(deps: { storage: Storage; clock: Clock; defaultCountryCode: string }): LeadService {
  const { storage, clock } = deps;
  const createSchema = createLeadSchema(deps.defaultCountryCode);
  const updateSchema = updateLeadSchema(deps.defaultCountryCode);

  const { get, update, remove } = ownedRecords(storage.leads, 'Lead', clock);

  /** Whose lead an input makes: the caller's, or for admins the named `user_id`'s. */
  async function ownerOf(actor: Actor, userId: string | undefined): Promise<string> {
    if (!userId || userId === actor.userId) return actor.userId;
    if (!isAdmin(actor)) throw new KirimError('forbidden', 'Only admins may act for another user');
    if (!(await storage.users.get(userId))) throw notFound('User');
    return userId;
  }

  /** Validates rows, then stores the good ones in one transaction. `rows` are `[row number, input]`. */
  async function importRows(actor: Actor, rows: Array<[number, unknown]>): Promise<LeadImportReport> {
    const report: LeadImportReport = {
      total_rows: rows.length,
      imported: 0,
      merged: 0,
      failed: 0,
      skipped: 0,
      rows: [],
    };
    const owners = new Map<string, Promise<string>>();
    const good: Array<{ row: number; owner: string; data: LeadData }> = [];

    for (const [row, input] of rows) {
      const fail = (errors: FieldErrors) => {
        report.failed++;
        const phone = input && typeof input === 'object' ? (input as Record<string, unknown>).phone : undefined;
        report.rows.push({
          row,
          status: 'failed',
          id: null,
          phone: typeof phone === 'string' || typeof phone === 'number' ? String(phone) : null,
          reason: `invalid ${Object.keys(errors).join(', ')}`,
          errors,
        });
      };
      const result = createSchema.safeParse(input ?? {});
      if (!result.success) {
        fail(explainRoundedPhone(fieldErrors(result.error), (input as Record<string, unknown> | null)?.phone));
        continue;
      }
      const userId = result.data.user_id ?? actor.userId;
      if (!owners.has(userId)) owners.set(userId, ownerOf(actor, userId));
      try {
        good.push({ row, owner: await owners.get(userId)!, data: result.data });
      } catch (error) {
        if (!isKirimError(error, 'forbidden') && !isKirimError(error, 'not_found')) throw error;
        fail({
          user_id: [
            isKirimError(error, 'forbidden') ? 'only admins may import leads for another user' : 'no such user',
          ],
        });
      }
    }
    if (good.length === 0) return report;

    // Phones in one order (stable: the first row of a number is the one inserted), so two concurrent
    // imports wait on each other's numbers in the same order and never deadlock on PostgreSQL.
    const key = (r: (typeof good)[number]) => `${r.owner}\u0000${r.data.phone ?? ''}`;
    good.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    await storage.transaction(async (tx) => {
      const now = clock.now().toISOString();
      for (const { row, owner, data } of good) {
        const { lead, merged } = await saveLead(tx, owner, data, now);
        if (!merged) {
          report.imported++;
          continue;
        }
        report.merged++;
        report.rows.push({
          row,
          status: 'merged',
          id: lead.id,
          phone: lead.phone,
          reason: 'phone number already in leads: merged into that lead',
        });
      }
    });
    report.rows.sort((a, b) => a.row - b.row);
    return report;
  }

  return {
    get,

    async list(actor: Actor, input: ListLeadsInput = {}): Promise<Page<Lead>> {
      const query = parse(listLeadsSchema, input);
      return readPage(query, (range) => storage.leads.list(actor.userId, toFilter(query), range));
    },

    async create(actor: Actor, input: CreateLeadInput): Promise<LeadSaveResult> {
      const data = parse(createSchema, input);
      const owner = await ownerOf(actor, data.user_id);
      return saveLead(storage, owner, data, clock.now().toISOString());
    },

    update: async (actor: Actor, id: string, input: UpdateLeadInput) => update(actor, id, parse(updateSchema, input)),

    remove,

    async bulkStatus(actor: Actor, input: BulkLeadStatusInput): Promise<{ updated: number; status: LeadStatus }> {
      const { ids, status } = parse(bulkLeadStatusSchema, input);
      const unique = [...new Set(ids)];
      return storage.transaction(async (tx) => {
        const owned = new Set(await tx.leads.ownedIds(actor.userId, unique));
        const missing: FieldErrors = {};
        ids.forEach((id, index) => {
          if (!owned.has(id)) missing[`ids.${index}`] = ['no such lead'];
        });
        if (Object.keys(missing).length > 0) throw new KirimError('not_found', 'Lead not found', { details: missing });
        const updated = await tx.leads.setStatus(actor.userId, unique, status, clock.now().toISOString());
        // A lead deleted since the check: roll back rather than report a partial change.
        if (updated !== unique.length) throw notFound('Lead');
        return { updated, status };
      });
    },

    async syncStatus(actor: Actor, input: unknown): Promise<{ updated: number; leads: Lead[] }> {
      const { ids } = parse(syncLeadStatusSchema, input);
      const leads = await Promise.all(ids.map((id) => get(actor, id)));
      const exchanges = new Map(
        (
          await storage.outbox.latestExchanges(
            actor.userId,
            leads.map((l) => l.phone).filter((p): p is string => p !== null),
          )
        ).map((e) => [e.phone, e]),
      );
      const now = clock.now().toISOString();
      let updated = 0;
      const synced: Lead[] = [];
      for (const lead of leads) {
        const exchange = lead.phone ? exchanges.get(lead.phone) : undefined;
        const status: LeadStatus | undefined = exchange?.replied
          ? 'replied'
          : (SYNCED_STATUSES as readonly string[]).includes(exchange?.status ?? '')
            ? (exchange!.status as LeadStatus)
            : undefined;
        if (status && status !== lead.status) {
          await storage.leads.setStatus(actor.userId, [lead.id], status, now);
          updated++;
          synced.push({ ...lead, status, updated_at: now });
        } else synced.push(lead);
      }
      return { updated, leads: synced };
    },

    statistics(actor: Actor): Promise<LeadStatistics> {
      return storage.leads.statistics(actor.userId);
    },

    async bulkImport(actor: Actor, input: ImportLeadsInput): Promise<LeadImportReport> {
      const { leads } = parse(importLeadsSchema, input);
      return importRows(
        actor,
        leads.map((row, index) => [index + 1, row]),
      );
    },

    async importFile(actor: Actor, file: { path: string; filename?: string }): Promise<LeadImportReport> {
      const kind = await detectSpreadsheetFile(file.path, file.filename);
      let columns: HeaderMatch<LeadImportField> | undefined;
      let location: HeaderLocation | undefined;
      const rows: Array<[number, unknown]> = [];
      const skipped: LeadImportReport['rows'] = [];
      const reader = readSpreadsheetRows(file.path, kind, {
        header: IMPORT_HEADER,
        onHeaders: (_headers, where, match) => {
          columns = match;
          location = where;
        },
      });
      for await (const { row, values, skip } of reader) {
        if (skip) {
          skipped.push({ row, status: 'skipped', id: null, phone: null, reason: skip });
          continue;
        }
        if (rows.length === MAX_LEAD_IMPORT_ROWS)
          throw validationError({ file: [`has more than ${MAX_LEAD_IMPORT_ROWS} rows`] });
        rows.push([row, rowInput(values, columns!)]);
      }
      const report = await importRows(actor, rows);
      return {
        ...report,
        total_rows: report.total_rows + skipped.length,
        skipped: skipped.length,
        sheet: location!.sheet,
        header_row: location!.row,
        rows: [...report.rows, ...skipped].sort((a, b) => a.row - b.row),
      };
    },
  };
}

/**
 * Inserts a validated lead for `owner`, or merges it into the owner's lead with the same phone (see
 * {@link createLeadService}). Scrape tasks save through it too, inside their own transaction.
 */
export async function saveLead(store: Storage, owner: string, data: LeadData, now: string): Promise<LeadSaveResult> {
  const lead = toLead(owner, data, now);
  if (lead.phone === null) return { lead: await store.leads.insert(lead), merged: false };
  // A lead deleted between the refused insert and the read frees the number: insert again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await store.leads.insertUnlessPhoneTaken(lead);
    if (inserted) return { lead: inserted, merged: false };
    const existing = await store.leads.getByPhone(owner, lead.phone);
    if (!existing) continue;
    const merged = await store.leads.update(owner, existing.id, { ...fillEmpty(existing, data), updated_at: now });
    if (merged) return { lead: merged, merged: true };
  }
  throw new KirimError('unavailable', 'The lead changed while it was saved; try again');
}

function toLead(owner: string, data: LeadData, now: string): Lead {
  return {
    ...freshRecord(now),
    user_id: owner,
    source: data.source,
    business_name: data.business_name,
    ...orNull(data, ['address', 'website', 'phone', 'email', 'latitude', 'longitude', 'notes']),
    status: data.status,
    extra_fields: data.extra_fields ?? {},
  };
}

/** The changes a merge makes to `existing`: incoming values only where it has none. */
function fillEmpty(existing: Lead, data: LeadData): Partial<Lead> {
  const changes: Record<string, unknown> = {};
  for (const field of MERGED_FIELDS) {
    const value = data[field];
    if (existing[field] === null && value !== null && value !== undefined) changes[field] = value;
  }
  const extra = Object.entries(data.extra_fields ?? {}).filter(([key]) => !Object.hasOwn(existing.extra_fields, key));
  if (extra.length > 0) changes.extra_fields = { ...existing.extra_fields, ...Object.fromEntries(extra) };
  return changes as Partial<Lead>;
}

function toFilter(query: ReturnType<typeof listLeadsSchema.parse>): LeadFilter {
  const search = query.search || undefined;
  // A search typed as a phone number also finds the stored digits: `0812-2000` → `8122000`.
  const digits = search?.replace(/[\s\-().+]/g, '');
  return {
    status: query.status,
    source: query.source || undefined,
    search,
    searchDigits: digits && /^\d{4,}$/.test(digits) ? digits.replace(/^0+/, '') : undefined,
    hasPhone: query.has_phone,
    hasWebsite: query.has_website,
  };
}

const IMPORT_HEADER: HeaderSpec<LeadImportField> = {
  aliases: LEAD_HEADER_ALIASES,
  required: 'business_name',
  key: 'phone',
  missing: `has no business name column (expected a header such as Business Name or Nama Usaha in the first ${HEADER_SCAN_ROWS} rows of a sheet)`,
};

/** A spreadsheet row as create-lead input: known columns by field (blank cells absent), other columns as extra fields. */
function rowInput(values: Record<string, string>, columns: HeaderMatch<LeadImportField>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [field, header] of Object.entries(columns.fields) as Array<[string, string]>) {
    const value = values[header]?.trim() ?? '';
    if (value !== '') input[field] = value;
  }
  const extra: Record<string, string> = {};
  for (const header of columns.extra) if (values[header]?.trim()) extra[header] = values[header].trim();
  if (Object.keys(extra).length > 0) input.extra_fields = extra;
  return input;
}
