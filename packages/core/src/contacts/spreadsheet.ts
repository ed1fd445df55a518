/**
 * Streaming spreadsheet IO for imports and exports: rows flow one at a time through ExcelJS's streaming
 * reader/writer and csv-parse, so memory stays flat however many rows a file has. The entry the services
 * import: reading is here; detection, header aliases, cell values and the writer live beside it.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KirimError } from '../errors.js';
import { classifiedRows, dataRows, type SpreadsheetRow } from './data-rows.js';
import type { HeaderMatch } from './header-aliases.js';
import { findHeader, HEADER_SCAN_ROWS, topRows, type HeaderSpec } from './header-row.js';
import { PeekedSource } from './peeked-source.js';
import { csvSheets, NoWorksheetError, xlsxSheets, type RawRecord } from './sheet-sources.js';
import { detectSpreadsheetKind, type SpreadsheetKind } from './spreadsheet-kind.js';

export { cellToString, explainRoundedPhone, ROUNDED_PHONE_REASON } from './cell-values.js';
export type { SpreadsheetRow } from './data-rows.js';
export {
  CONTACT_HEADER_ALIASES,
  headerKey,
  LEAD_HEADER_ALIASES,
  matchHeaders,
  type ContactImportField,
  type HeaderAliases,
  type HeaderMatch,
  type LeadImportField,
} from './header-aliases.js';
export { HEADER_SCAN_ROWS, type HeaderSpec } from './header-row.js';
export { detectSpreadsheetFile, detectSpreadsheetKind, type SpreadsheetKind } from './spreadsheet-kind.js';
export { writeSpreadsheet, type WriteSpreadsheetOptions } from './spreadsheet-writer.js';

/** Where {@link readSpreadsheetRows} found the header: the worksheet's name (null for CSV) and the header's row number. */
export interface HeaderLocation {
  sheet: string | null;
  row: number;
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

async function* concat(first: RawRecord[], rest: AsyncIterator<RawRecord>): AsyncGenerator<RawRecord> {
  yield* first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

const CSV_SNIFF_BYTES = 64 * 1024;
