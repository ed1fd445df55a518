/** Reading and writing spreadsheets in the contacts tests: whole reads, reads as an import does, writes to memory. */
import { Readable, Writable } from 'node:stream';
import { expect } from 'vitest';
import { isKirimError } from '../errors.js';
import {
  CONTACT_HEADER_ALIASES,
  LEAD_HEADER_ALIASES,
  readSpreadsheetRows,
  writeSpreadsheet,
  type HeaderLocation,
  type HeaderSpec,
  type SpreadsheetKind,
  type SpreadsheetRow,
} from './spreadsheet.js';

/** Reads every row as a plain read does (the first non-blank row is the header), with the headers. */
export async function readAll(
  input: Readable | string,
  kind: SpreadsheetKind,
): Promise<{ headers: string[]; rows: SpreadsheetRow[] }> {
  let headers: string[] = [];
  const rows: SpreadsheetRow[] = [];
  for await (const row of readSpreadsheetRows(input, kind, { onHeaders: (h) => (headers = h) })) rows.push(row);
  return { headers, rows };
}

/** Writes a spreadsheet into memory. */
export async function written(
  kind: SpreadsheetKind,
  headers: string[],
  rows: Iterable<string[]> | AsyncIterable<string[]>,
) {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await writeSpreadsheet(sink, kind, headers, rows);
  return Buffer.concat(chunks);
}

/** Expects reading `input` to fail with a validation error naming only `file`, its reason matching `reason`. */
export async function expectUnreadable(input: Readable | string, kind: SpreadsheetKind, reason: string | RegExp) {
  try {
    await readAll(input, kind);
    expect.unreachable('the read should have failed');
  } catch (error) {
    expect(isKirimError(error, 'validation')).toBe(true);
    const details = (error as { details: Record<string, string[]> }).details;
    expect(Object.keys(details)).toEqual(['file']);
    expect(details.file[0]).toMatch(reason);
  }
}

/** The header spec of contact imports. */
export const contactHeader: HeaderSpec = {
  aliases: CONTACT_HEADER_ALIASES,
  required: 'phone',
  key: 'phone',
  missing: 'has no phone column',
};
/** The header spec of lead imports. */
export const leadHeader: HeaderSpec = {
  aliases: LEAD_HEADER_ALIASES,
  required: 'business_name',
  key: 'phone',
  missing: 'has no business name column',
};

/** Reads as an import does: the header found by `spec`, totals and notes marked. */
export async function readImport(input: Readable | string, kind: SpreadsheetKind, spec: HeaderSpec = contactHeader) {
  let headers: string[] = [];
  let location: HeaderLocation | undefined;
  const rows: SpreadsheetRow[] = [];
  const onHeaders = (h: string[], where: HeaderLocation) => {
    headers = h;
    location = where;
  };
  for await (const row of readSpreadsheetRows(input, kind, { header: spec, onHeaders })) rows.push(row);
  return { headers, location, rows };
}

/** `text` as a CSV upload stream. */
export const csv = (text: string) => Readable.from([Buffer.from(text)]);
/** The row numbers and reasons of the rows marked `skip`. */
export const skips = (rows: SpreadsheetRow[]) => rows.filter((r) => r.skip).map((r) => [r.row, r.skip]);
