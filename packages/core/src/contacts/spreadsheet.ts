/**
 * Streaming spreadsheet IO for imports and exports: rows flow one at a time through ExcelJS's streaming
 * reader/writer and csv-parse, so memory stays flat however many rows a file has.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { KirimError, type FieldErrors } from '../errors.js';
import { openZipFile, type ZipFile } from './zip-file.js';

/** The spreadsheet formats Kirim reads and writes. */
export type SpreadsheetKind = 'xlsx' | 'csv';

/**
 * One row below the header: its 1-based row number as the spreadsheet shows it, and its cells keyed by
 * header text (an object without a prototype: a header such as `__proto__` is just a key).
 */
export interface SpreadsheetRow {
  row: number;
  values: Record<string, string>;
  /** Why the row is not data (a totals row, or a note below the data); only when reading with a {@link HeaderSpec}. */
  skip?: string;
}

/** Where {@link readSpreadsheetRows} found the header: the worksheet's name (null for CSV) and the header's row number. */
export interface HeaderLocation {
  sheet: string | null;
  row: number;
}

/**
 * How to find the header of an import: the sheet and row among its first {@link HEADER_SCAN_ROWS} non-blank
 * rows that names `required` and the most known fields.
 */
export interface HeaderSpec<F extends string = string> {
  aliases: HeaderAliases<F>;
  /** The field a header row must name to be one (contacts: `phone`). */
  required: F;
  /** A field whose cell alone makes a row data, never a note (`phone`); optional. */
  key?: F;
  /** The reason given, naming the file, when no sheet holds such a header. */
  missing: string;
}

/** Options of {@link readSpreadsheetRows}. */
export interface ReadSpreadsheetOptions<F extends string = string> {
  /**
   * Called once before the first row (also for a file with no data rows) with the header texts (as keys of
   * `values`), where they were found, and the fields of `header.aliases` they hold (none without `header`).
   */
  onHeaders?: (headers: string[], location: HeaderLocation, match: HeaderMatch<F>) => void;
  /** The field named in validation errors; default `file`. */
  field?: string;
  /** Find the header (and its sheet) by known header names and tell totals and note rows apart; default: the first non-blank row of the first sheet. */
  header?: HeaderSpec<F>;
}

/** Canonical field → the header spellings that mean it (compared loosely, see {@link headerKey}). */
export type HeaderAliases<F extends string = string> = Readonly<Record<F, readonly string[]>>;

/** The result of {@link matchHeaders}: which header holds each known field, and the other headers. */
export interface HeaderMatch<F extends string = string> {
  /** Canonical field → the original header text that holds it; fields without a column are absent. */
  fields: Partial<Record<F, string>>;
  /** Headers that matched no field, in file order, but for `__proto__`, `constructor` and `prototype`: extra columns an import may keep. */
  extra: string[];
}

/** Options of {@link writeSpreadsheet}. */
export interface WriteSpreadsheetOptions {
  /** The xlsx worksheet name; default `Sheet1`. */
  sheetName?: string;
  /**
   * CSV only, default true: prefix `'` to text cells starting with `=`, `+`, `-`, `@`, tab or CR (but not
   * to numbers and phone numbers) so a spreadsheet program does not run them as formulas (CSV injection).
   */
  escapeFormulas?: boolean;
}

/** Header aliases for contact imports, in English and Indonesian. */
export const CONTACT_HEADER_ALIASES = {
  name: ['name', 'full name', 'nama', 'nama lengkap', 'contact name', 'nama kontak', 'customer name', 'nama pelanggan'],
  phone: [
    'phone',
    'phone number',
    'mobile',
    'mobile number',
    'mobile phone',
    'cell',
    'cellphone',
    'whatsapp',
    'whatsapp number',
    'wa',
    'no wa',
    'nomor wa',
    'no whatsapp',
    'nomor whatsapp',
    'no hp',
    'nomor hp',
    'hp',
    'handphone',
    'no handphone',
    'nomor handphone',
    'telepon',
    'no telepon',
    'nomor telepon',
    'telp',
    'no telp',
    'telephone',
    'tel',
    'number',
    'nomor',
  ],
  email: ['email', 'e-mail', 'email address', 'alamat email', 'surel'],
  company: [
    'company',
    'company name',
    'perusahaan',
    'nama perusahaan',
    'organization',
    'organisation',
    'organisasi',
    'instansi',
  ],
  position: ['position', 'job title', 'title', 'role', 'jabatan', 'posisi'],
  address: ['address', 'street address', 'alamat', 'alamat lengkap'],
  city: ['city', 'town', 'kota', 'kabupaten', 'kota kabupaten'],
  country: ['country', 'negara'],
  notes: ['notes', 'note', 'remarks', 'comment', 'comments', 'catatan', 'keterangan'],
} as const satisfies HeaderAliases;

/** Header aliases for lead imports (map-scraper exports and hand-made sheets). */
export const LEAD_HEADER_ALIASES = {
  business_name: ['business name', 'nama usaha', 'nama bisnis', 'nama tempat', 'place name', 'name', 'nama', 'title'],
  address: ['address', 'full address', 'alamat', 'alamat lengkap'],
  phone: [
    'phone',
    'phone number',
    'telepon',
    'no telepon',
    'nomor telepon',
    'telp',
    'no telp',
    'no hp',
    'nomor hp',
    'whatsapp',
    'mobile',
  ],
  website: ['website', 'web', 'site', 'url', 'situs', 'situs web'],
  latitude: ['latitude', 'lat'],
  longitude: ['longitude', 'lng', 'lon', 'long'],
  source: ['source', 'sumber'],
  status: ['status'],
} as const satisfies HeaderAliases;

/** Canonical contact import fields. */
export type ContactImportField = keyof typeof CONTACT_HEADER_ALIASES;

/** Canonical lead import fields. */
export type LeadImportField = keyof typeof LEAD_HEADER_ALIASES;

// ---------------------------------------------------------------------------------------------------
// Detection

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
// Legacy .xls (OLE2 compound file): a spreadsheet, but not one we read; users must save as .xlsx.
const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

/** Tells what an uploaded file is from its first 4 KB; anything but a spreadsheet is a `validation` error naming `file`. */
export async function detectSpreadsheetFile(path: string, filename?: string): Promise<SpreadsheetKind> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const kind = detectSpreadsheetKind(buffer.subarray(0, bytesRead), filename);
    if (!kind)
      throw new KirimError('validation', 'The file is not a spreadsheet', {
        details: { file: ['must be an .xlsx or .csv spreadsheet'] },
      });
    return kind;
  } finally {
    await handle.close();
  }
}

/**
 * Tells what a file is from its first bytes (a few KB is plenty): `xlsx` for a zip, `csv` for UTF-8
 * text, `null` for anything else (images, PDFs, legacy .xls, HTML). The content decides; `filename`
 * only breaks the tie for an empty file.
 */
export function detectSpreadsheetKind(firstBytes: Buffer, filename?: string): SpreadsheetKind | null {
  if (firstBytes.length === 0) {
    const extension = filename?.toLowerCase().split('.').pop();
    return extension === 'xlsx' ? 'xlsx' : extension === 'csv' || extension === 'txt' ? 'csv' : null;
  }
  if (firstBytes.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx';
  if (firstBytes.subarray(0, 4).equals(OLE2_MAGIC)) return null;
  return looksLikeText(firstBytes) ? 'csv' : null;
}

function looksLikeText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  // A multi-byte character cut at the end of the sample is not a reason to refuse the file.
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back];
    if ((byte & 0xc0) === 0xc0) {
      end -= back;
      break;
    }
    if ((byte & 0xc0) !== 0x80) break;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
  } catch {
    return false;
  }
  // Control characters other than tab/CR/LF/FF mean binary; a leading `<` means HTML/XML saved as ".xls".
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (/[\u0001-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return false;
  return !/^\uFEFF?\s*</.test(text);
}

// ---------------------------------------------------------------------------------------------------
// Header matching

/** The loose form headers are compared in: lower case, accents and everything but letters and digits dropped. */
export function headerKey(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * Maps each canonical field to the header that holds it, comparing case-, space- and
 * punctuation-insensitively (`No. HP` = `no hp` = `NoHP`). The field's own name is an alias too. Fields
 * claim headers in the order of `aliases`, each field's aliases in order; a header holds one field.
 */
export function matchHeaders<F extends string>(headers: readonly string[], aliases: HeaderAliases<F>): HeaderMatch<F> {
  const keys = headers.map(headerKey);
  const claimed = new Set<number>();
  const fields: Partial<Record<F, string>> = {};
  for (const field of Object.keys(aliases) as F[]) {
    for (const alias of [...aliases[field], field]) {
      const key = headerKey(alias);
      const index = keys.findIndex((k, i) => k === key && k !== '' && !claimed.has(i));
      if (index !== -1) {
        claimed.add(index);
        fields[field] = headers[index];
        break;
      }
    }
  }
  return { fields, extra: headers.filter((header, i) => !claimed.has(i) && !UNSAFE_KEYS.has(header)) };
}

// Headers that would reach an object's prototype machinery if used as a key; never kept as extra fields.
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** How many non-blank rows at the top of each sheet are searched for the header. */
export const HEADER_SCAN_ROWS = 20;

// ---------------------------------------------------------------------------------------------------
// Cell values

/**
 * A cell value as the text a user sees: numbers in plain decimal (6281234567890, never 6.28e12), dates
 * as ISO (`2024-05-01`, or a full timestamp when there is a time), rich text joined, hyperlinks as their
 * text, formulas as their result, booleans `TRUE`/`FALSE`, errors as `#N/A` etc., empty as ''.
 */
export function cellToString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberToString(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateToString(value);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return v.richText.map((run: { text?: unknown }) => cellToString(run.text)).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellToString(v.result);
    if ('hyperlink' in v || 'text' in v) return cellToString(v.text ?? v.hyperlink);
    if ('error' in v) return String(v.error);
  }
  return String(value);
}

function numberToString(n: number): string {
  const text = String(n);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  // Expand the shortest round-trip exponent form by moving the decimal point: no precision is invented.
  const [, sign, lead, fraction = '', exp] = match;
  const digits = lead + fraction;
  const point = 1 + Number(exp);
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function dateToString(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  // ExcelJS gives the wall-clock value as UTC; a spreadsheet time has no zone, so none is written.
  const iso = date.toISOString().slice(0, 19);
  return iso.endsWith('T00:00:00') ? iso.slice(0, 10) : iso;
}

// A number a spreadsheet wrote as it showed it, rounded (Excel's General format for long numbers, `6.28131E+12`).
const ROUNDED_NUMBER = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;

/** The reason given for a phone cell holding a number a spreadsheet rounded to scientific notation: its digits are lost. */
export const ROUNDED_PHONE_REASON =
  'was rounded by the spreadsheet to scientific notation, so its digits are lost: format the column as text and export again';

/** `errors` with the phone's reason replaced by {@link ROUNDED_PHONE_REASON} when `phone` is such text (`6.28131E+12`). */
export function explainRoundedPhone(errors: FieldErrors, phone: unknown): FieldErrors {
  return typeof phone === 'string' && ROUNDED_NUMBER.test(phone.trim())
    ? { ...errors, phone: [ROUNDED_PHONE_REASON] }
    : errors;
}

// ---------------------------------------------------------------------------------------------------
// Reading

/**
 * Streams the rows below the header of an xlsx worksheet, or of a CSV (UTF-8 with or without BOM, `,` `;`
 * or tab separated, sniffed from the first line). Without `header`, the first non-blank row of the first
 * sheet is the header. With it, the header is the row among each sheet's first {@link HEADER_SCAN_ROWS}
 * non-blank rows that names `header.required` and the most known fields (a blank header cell under a
 * merged cell takes the text above it when that names more); the first sheet holding one is read, rows
 * above its header are ignored, and rows that are not data are yielded with `skip`: a totals row (its
 * first filled cell is `Total`, `Jumlah`, `Subtotal`, `Grand total` or `Sum`, not in the key column), and
 * below the last data row, a note (one filled cell, not in the key column, under a header of two or more
 * columns). Each row comes with its spreadsheet row number and every headed column's text ('' when empty;
 * not trimmed); blank rows are left out. Headers are trimmed; a repeated header gets " (2)", " (3)"…;
 * columns without a header are ignored. A file that is not a readable spreadsheet, or has no header,
 * throws a `validation` KirimError naming `file`. Errors opening or reading `input` itself pass through.
 * An .xlsx is read at random from its file (see {@link xlsxSheets}); one given as a stream is copied to a
 * temp file first, removed when the read ends.
 */
export async function* readSpreadsheetRows<F extends string = string>(
  input: Readable | string,
  kind: SpreadsheetKind,
  options: ReadSpreadsheetOptions<F> = {},
): AsyncGenerator<SpreadsheetRow, void, undefined> {
  const field = options.field ?? 'file';
  const source = typeof input === 'string' ? createReadStream(input) : input;
  const peeked = new PeekedSource(source);
  let copyFolder: string | undefined;
  try {
    const head = await peeked.peek(kind === 'xlsx' ? 4 : CSV_SNIFF_BYTES, kind === 'csv');
    if (head.length === 0) throw unreadable(field, 'is empty');
    if (detectSpreadsheetKind(head) !== kind) {
      throw unreadable(field, kind === 'xlsx' ? 'is not an .xlsx spreadsheet' : 'is not a CSV text file');
    }
    let path = typeof input === 'string' ? input : undefined;
    if (kind === 'xlsx' && path === undefined) {
      copyFolder = await mkdtemp(join(tmpdir(), 'kirim-xlsx-'));
      path = join(copyFolder, 'workbook.xlsx');
      await pipeline(peeked.stream(), createWriteStream(path));
    }
    const sheets = kind === 'xlsx' ? xlsxSheets(path!) : csvSheets(peeked.stream(), head);
    for await (const sheet of sheets) {
      const top = await topRows(sheet.records, options.header ? HEADER_SCAN_ROWS : 1);
      const header = findHeader(top, options.header);
      if (!header) continue;
      options.onHeaders?.(
        header.columns.map((c) => c.text),
        { sheet: sheet.name, row: top[header.index].row },
        header.match,
      );
      const below = concat(top.slice(header.index + 1), sheet.records);
      yield* options.header ? classifiedRows(below, header, options.header) : dataRows(below, header.columns);
      return;
    }
    throw unreadable(field, options.header?.missing ?? 'has no header row');
  } catch (error) {
    if (error instanceof KirimError || peeked.isSourceError(error)) throw error;
    if (error instanceof NoWorksheetError) throw unreadable(field, 'has no worksheet');
    throw unreadable(field, `could not be read as ${kind === 'xlsx' ? 'an .xlsx spreadsheet' : 'CSV'}`, error);
  } finally {
    // Also when the consumer stops early: release the file descriptor or the upload stream.
    source.destroy();
    if (copyFolder) await rm(copyFolder, { recursive: true, force: true });
  }
}

function unreadable(field: string, reason: string, cause?: unknown): KirimError {
  const detail = cause instanceof Error && cause.message ? `: ${cause.message}` : '';
  return new KirimError('validation', `The file ${reason}${detail}`, { details: { [field]: [reason] }, cause });
}

interface Column {
  index: number;
  text: string;
}

/** The first `count` non-blank rows of a sheet; the rest stay in `records`. */
async function topRows(records: AsyncIterator<RawRecord>, count: number): Promise<RawRecord[]> {
  const top: RawRecord[] = [];
  while (top.length < count) {
    const next = await records.next();
    if (next.done) break;
    if (!isBlank(next.value.cells)) top.push(next.value);
  }
  return top;
}

const isBlank = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

/** A header row: its index among the top rows, its columns, and the fields they hold. */
interface FoundHeader<F extends string> {
  index: number;
  columns: Column[];
  match: HeaderMatch<F>;
}

/** The header among `top`: the first row without a spec, else the best match of `spec` (null when none names `spec.required`). */
function findHeader<F extends string>(top: RawRecord[], spec: HeaderSpec<F> | undefined): FoundHeader<F> | null {
  if (!spec) {
    if (top.length === 0) return null;
    const columns = headerColumns(top[0].cells);
    return {
      index: 0,
      columns,
      match: matchHeaders(
        columns.map((c) => c.text),
        {} as HeaderAliases<F>,
      ),
    };
  }
  let best: (FoundHeader<F> & { score: number }) | null = null;
  top.forEach(({ row, cells }, index) => {
    const above = top[index - 1]?.row === row - 1 ? top[index - 1].cells : null;
    // LibreOffice writes a merged cell's text in its first cell only: a header merged down over two rows
    // leaves the lower row blank in that column, under a row of group titles.
    const filled =
      above &&
      Array.from(
        { length: Math.max(cells.length, above.length) },
        (_, i) => (cells[i] ?? '').trim() || (above[i] ?? ''),
      );
    const readings = filled ? [cells, filled] : [cells];
    for (const reading of readings) {
      const columns = headerColumns(reading);
      const match = matchHeaders(
        columns.map((c) => c.text),
        spec.aliases,
      );
      const score = Object.keys(match.fields).length;
      if (match.fields[spec.required] !== undefined && score > (best?.score ?? 0))
        best = { index, columns, match, score };
    }
  });
  return best;
}

function headerColumns(cells: readonly string[]): Column[] {
  const seen = new Map<string, number>();
  const columns: Column[] = [];
  cells.forEach((cell, index) => {
    const text = cell.trim();
    if (text === '') return;
    const count = (seen.get(text) ?? 0) + 1;
    seen.set(text, count);
    columns.push({ index, text: count === 1 ? text : `${text} (${count})` });
  });
  return columns;
}

async function* concat(first: RawRecord[], rest: AsyncIterator<RawRecord>): AsyncGenerator<RawRecord> {
  yield* first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/** A record's headed cells, keyed by header text in an object without a prototype. */
function rowValues(cells: readonly string[], columns: readonly Column[]): Record<string, string> {
  const values: Record<string, string> = Object.create(null);
  for (const { index, text } of columns) values[text] = cells[index] ?? '';
  return values;
}

async function* dataRows(records: AsyncIterable<RawRecord>, columns: Column[]): AsyncGenerator<SpreadsheetRow> {
  for await (const { row, cells } of records) {
    if (!columns.every(({ index }) => (cells[index] ?? '').trim() === ''))
      yield { row, values: rowValues(cells, columns) };
  }
}

// `Total`, `TOTAL:`, `Jumlah kontak`, `Grand total 25`, `Subtotal`: the label of a totals row.
const TOTALS_LABEL =
  /^(?:grand\s*|sub\s*)?(?:total|totals|jumlah|sum)(?:\s+(?:keseluruhan|semua|kontak|data|leads?))?\s*:?\s*[\d.,]*$/i;
// Past this many rows in a row that would be notes were they last, they are data: a footer is never that long.
const MAX_NOTE_ROWS = 1000;

/** Rows below the header with totals rows and notes below the data marked `skip` (see {@link readSpreadsheetRows}). */
async function* classifiedRows<F extends string>(
  records: AsyncIterable<RawRecord>,
  { columns, match }: FoundHeader<F>,
  spec: HeaderSpec<F>,
): AsyncGenerator<SpreadsheetRow> {
  const keyHeader = spec.key && match.fields[spec.key];
  const keyIndex = columns.find((c) => c.text === keyHeader)?.index;
  // Rows after the last data row so far: notes if no data row follows them, else data after all.
  const held: Array<SpreadsheetRow & { note?: string }> = [];
  const release = (row: (typeof held)[number], last: boolean): SpreadsheetRow =>
    row.note === undefined
      ? row
      : last
        ? { row: row.row, values: row.values, skip: row.note }
        : { row: row.row, values: row.values };

  for await (const { row, cells } of records) {
    const filled = columns.filter(({ index }) => (cells[index] ?? '').trim() !== '');
    if (filled.length === 0) continue;
    const values = rowValues(cells, columns);
    const first = cells.findIndex((cell) => cell.trim() !== '');
    if (first !== keyIndex && TOTALS_LABEL.test(cells[first].trim())) {
      held.push({ row, values, skip: `totals row ("${cells[first].trim()}"), not data` });
    } else if (filled.length === 1 && columns.length > 1 && filled[0].index !== keyIndex) {
      held.push({
        row,
        values,
        note: `note below the data ("${truncate(cells[filled[0].index].trim(), 40)}"), not data`,
      });
    } else {
      for (const waiting of held.splice(0)) yield release(waiting, false);
      yield { row, values };
      continue;
    }
    if (held.length > MAX_NOTE_ROWS) yield release(held.shift()!, false);
  }
  for (const waiting of held) yield release(waiting, true);
}

const truncate = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/** A source stream whose first bytes can be looked at, then replayed in full. */
class PeekedSource {
  private readonly iterator: AsyncIterator<unknown>;
  private readonly buffered: Buffer[] = [];
  private readonly sourceErrors = new WeakSet<object>();
  private ended = false;

  constructor(source: Readable) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Reads until `bytes` are buffered (or, with `line`, a line ending after some non-blank text) or the end. */
  async peek(bytes: number, line: boolean): Promise<Buffer> {
    let head = Buffer.alloc(0);
    while (!this.ended && head.length < bytes && !(line && hasFirstLine(head))) {
      const chunk = await this.next();
      if (chunk === null) break;
      this.buffered.push(chunk);
      head = Buffer.concat([head, chunk]);
    }
    return head;
  }

  /** The whole source, from its first byte. */
  stream(): Readable {
    return Readable.from(this.chunks(), { objectMode: false });
  }

  private async *chunks(): AsyncGenerator<Buffer> {
    yield* this.buffered.splice(0);
    for (let chunk = await this.next(); chunk !== null; chunk = await this.next()) yield chunk;
  }

  isSourceError(error: unknown): boolean {
    return typeof error === 'object' && error !== null && this.sourceErrors.has(error);
  }

  private async next(): Promise<Buffer | null> {
    if (this.ended) return null;
    try {
      const { value, done } = await this.iterator.next();
      if (done) {
        this.ended = true;
        return null;
      }
      return Buffer.isBuffer(value) ? value : Buffer.from(String(value));
    } catch (error) {
      // Remembered so a failing disk or aborted upload is not reported as the user's bad file.
      if (typeof error === 'object' && error !== null) this.sourceErrors.add(error);
      throw error;
    }
  }
}

const CSV_SNIFF_BYTES = 64 * 1024;

/** True once `head` holds a complete non-blank line: the header line the separator is sniffed from. */
function hasFirstLine(head: Buffer): boolean {
  return /[^\s\uFEFF][^\r\n]*[\r\n]/.test(head.toString('utf8'));
}

/** Rows of cells, positioned by 0-based column. */
interface RawRecord {
  row: number;
  cells: string[];
}

/** A zip that holds no worksheet: a .docx, or some other archive renamed. */
class NoWorksheetError extends Error {}

/** A worksheet (or a CSV): its name (null for CSV) and its records, read as they are pulled. */
interface Sheet {
  name: string | null;
  records: AsyncIterator<RawRecord>;
}

/**
 * What ExcelJS's WorkbookReader (4.4) reads each workbook part with. Its own parse() streams the zip and
 * meets the parts in stored order, so the sheets LibreOffice stores before the shared strings wait in temp
 * files, which its unzip at times loses or deletes under a reader (exceljs#683, exceljs#3064); we hand it
 * the parts from the zip's directory in the order they depend on each other instead.
 */
interface WorkbookPartReaders {
  model?: { sheets?: Array<{ id: number; name: string; rId: string }> };
  workbookRels?: Array<{ Id: string; Type: string; Target: string }>;
  _parseRels(stream: Readable): Promise<void>;
  _parseWorkbook(stream: Readable): Promise<void>;
  _parseSharedStrings(stream: Readable): AsyncIterable<unknown>;
  _parseStyles(stream: Readable): Promise<void>;
  /** Yields the worksheet's reader (ExcelJS does not export its class). */
  _parseWorksheet(stream: Readable, sheetNo: number): Iterable<{ value: ExcelJS.stream.xlsx.WorksheetReader }>;
}

const XLSX_READ_OPTIONS = {
  worksheets: 'emit',
  sharedStrings: 'cache',
  // Styles tell dates from numbers. Hyperlink cells keep their display text without the cache.
  styles: 'cache',
  hyperlinks: 'ignore',
  entries: 'ignore',
} as const;

/**
 * The workbook's worksheets in tab order, each streamed from its zip entry once the relationships,
 * workbook, shared strings and styles are read, wherever the zip stores them; asking for the next sheet
 * closes the one before. Deterministic, and no temp file is written.
 */
async function* xlsxSheets(path: string): AsyncGenerator<Sheet> {
  const zip = await openZipFile(path);
  try {
    const workbook = new ExcelJS.stream.xlsx.WorkbookReader(path, XLSX_READ_OPTIONS);
    const parts = workbook as unknown as WorkbookPartReaders;
    await readPart(zip, 'xl/_rels/workbook.xml.rels', (text) => parts._parseRels(text));
    await readPart(zip, 'xl/workbook.xml', (text) => parts._parseWorkbook(text));
    const rels = parts.workbookRels ?? [];
    const partOf = (id: string | null, type: string) => {
      const rel = rels.find((r) => (id === null || r.Id === id) && r.Type.endsWith(`/${type}`));
      // Targets are relative to xl/, or absolute within the package.
      return rel && (rel.Target.startsWith('/') ? posix.normalize(rel.Target.slice(1)) : posix.join('xl', rel.Target));
    };
    // ExcelJS's own part names, should the relationships not list them.
    await readPart(zip, partOf(null, 'sharedStrings') ?? 'xl/sharedStrings.xml', async (text) => {
      for await (const _ of parts._parseSharedStrings(text)); // cached: yields nothing
    });
    await readPart(zip, partOf(null, 'styles') ?? 'xl/styles.xml', (text) => parts._parseStyles(text));

    let sawSheet = false;
    for (const { id, name, rId } of parts.model?.sheets ?? []) {
      // Chart sheets and dialog sheets have no cells.
      const entry = zip.entries.get(partOf(rId, 'worksheet') ?? '');
      if (!entry) continue;
      sawSheet = true;
      const text = (await zip.read(entry)).setEncoding('utf8');
      const [{ value: worksheet }] = parts._parseWorksheet(text, id);
      const records = worksheetRecords(worksheet);
      try {
        yield { name, records };
      } finally {
        await records.return(undefined);
        text.destroy();
      }
    }
    if (!sawSheet) throw new NoWorksheetError();
  } finally {
    await zip.close();
  }
}

/**
 * Parses the zip entry `name`, when there is one, from its text: decoded as one stream so a character
 * split between two chunks stays whole (ExcelJS decodes each chunk on its own).
 */
async function readPart(zip: ZipFile, name: string, parse: (text: Readable) => Promise<unknown>): Promise<void> {
  const entry = zip.entries.get(name);
  if (!entry) return;
  const text = (await zip.read(entry)).setEncoding('utf8');
  try {
    await parse(text);
  } finally {
    text.destroy();
  }
}

async function* worksheetRecords(worksheet: ExcelJS.stream.xlsx.WorksheetReader): AsyncGenerator<RawRecord> {
  for await (const row of worksheet) {
    const cells: string[] = [];
    // `row.values` is 1-based and sparse; holes are empty cells.
    (row.values as unknown[]).forEach((value, column) => {
      if (typeof value === 'object' && value !== null && 'sharedString' in value)
        throw new Error('its cells refer to shared strings it does not have');
      if (column >= 1) cells[column - 1] = cellToString(value);
    });
    yield { row: row.number, cells: Array.from(cells, (c) => c ?? '') };
  }
}

async function* csvSheets(stream: Readable, head: Buffer): AsyncGenerator<Sheet> {
  yield { name: null, records: csvRecords(stream, head) };
}

async function* csvRecords(stream: Readable, head: Buffer): AsyncGenerator<RawRecord> {
  const parser = stream.pipe(
    parseCsv({
      delimiter: sniffDelimiter(head.toString('utf8')),
      bom: true,
      relax_column_count: true,
      // Blank lines are kept (and skipped by the caller) so record numbers stay the spreadsheet's row numbers.
      skip_empty_lines: false,
    }),
  );
  // pipe() does not forward errors; the parser must fail when the source does.
  stream.once('error', (error) => parser.destroy(error));
  let row = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    row += 1;
    yield { row, cells: record };
  }
}

/** The separator used most in the first non-blank line, outside quotes; `,` on a tie or when there is none. */
function sniffDelimiter(text: string): string {
  const line =
    text
      .replace(/^\uFEFF/, '')
      .split(/\r\n|\n|\r/)
      .find((l) => l.trim() !== '') ?? '';
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch] += 1;
  }
  return [';', '\t'].reduce((best, d) => (counts[d] > counts[best] ? d : best), ',');
}

// ---------------------------------------------------------------------------------------------------
// Writing

/**
 * Writes `headers` then `rows` to `output` and ends it. xlsx: ExcelJS's streaming writer, each row
 * committed as it comes, every cell a text cell and every column formatted as text (`@`) so phone
 * numbers keep their digits, even ones typed in later. CSV: UTF-8 with BOM, comma separated, CRLF,
 * quoted where needed, so Excel opens it as Unicode. Waits for `output` to drain.
 */
export async function writeSpreadsheet(
  output: Writable,
  kind: SpreadsheetKind,
  headers: readonly string[],
  rows: AsyncIterable<readonly (string | null | undefined)[]> | Iterable<readonly (string | null | undefined)[]>,
  options: WriteSpreadsheetOptions = {},
): Promise<void> {
  // Rejects on an output error at any point, not only once ExcelJS starts listening at the end.
  let onError!: (error: Error) => void;
  const failed = new Promise<never>((_, reject) => {
    onError = reject;
    output.once('error', reject);
  });
  failed.catch(() => {});
  try {
    const write =
      kind === 'xlsx' ? writeXlsx(output, headers, rows, options) : writeCsv(output, headers, rows, options);
    await Promise.race([write, failed]);
  } finally {
    output.off('error', onError);
  }
}

async function writeXlsx(
  output: Writable,
  headers: readonly string[],
  rows: AsyncIterable<readonly (string | null | undefined)[]> | Iterable<readonly (string | null | undefined)[]>,
  options: WriteSpreadsheetOptions,
): Promise<void> {
  // Inline strings, not a shared-string table the writer would have to hold in memory until the end.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useSharedStrings: false, useStyles: true });
  const sheet = workbook.addWorksheet(options.sheetName ?? 'Sheet1', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = headers.map((header) => ({
    width: Math.min(Math.max(header.length + 4, 14), 40),
    style: { numFmt: '@' },
  }));
  const headerRow = sheet.addRow([...headers]);
  headerRow.font = { bold: true };
  headerRow.commit();
  for await (const values of rows) {
    sheet.addRow(headers.map((_, i) => values[i] ?? '')).commit();
  }
  sheet.commit();
  await workbook.commit();
}

async function writeCsv(
  output: Writable,
  headers: readonly string[],
  rows: AsyncIterable<readonly (string | null | undefined)[]> | Iterable<readonly (string | null | undefined)[]>,
  options: WriteSpreadsheetOptions,
): Promise<void> {
  const escapeFormulas = options.escapeFormulas ?? true;
  const line = (values: readonly (string | null | undefined)[]) =>
    headers.map((_, i) => csvField(values[i] ?? '', escapeFormulas)).join(',') + '\r\n';
  // Batching lines into ~64 KB writes keeps 50,000 rows from becoming 50,000 stream writes.
  let batch = '\uFEFF' + headers.map((h) => csvField(h, false)).join(',') + '\r\n';
  const flush = async () => {
    if (!output.write(batch, 'utf8')) await once(output, 'drain');
    batch = '';
  };
  for await (const values of rows) {
    batch += line(values);
    if (batch.length >= 64 * 1024) await flush();
  }
  if (batch !== '') await flush();
  output.end();
  await once(output, 'finish');
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER_LIKE = /^[+-]?[\d\s().,/-]+$/;

function csvField(value: string, escapeFormulas: boolean): string {
  let text = value;
  if (escapeFormulas && FORMULA_START.test(text) && !NUMBER_LIKE.test(text)) text = `'${text}`;
  // `;` is quoted too: Excel in locales whose list separator is `;` (Indonesian among them) splits on it.
  return /[",;\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
