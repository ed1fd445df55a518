/** The sheets of an .xlsx (from its zip directory) or a CSV, each a stream of records of cell text. */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { cellToString } from './cell-values.js';
import { openZipFile, type ZipFile } from './zip-file.js';

/** Rows of cells, positioned by 0-based column. */
export interface RawRecord {
  row: number;
  cells: string[];
}

/** A zip that holds no worksheet: a .docx, or some other archive renamed. */
export class NoWorksheetError extends Error {}

/** A worksheet (or a CSV): its name (null for CSV) and its records, read as they are pulled. */
export interface Sheet {
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
export async function* xlsxSheets(path: string): AsyncGenerator<Sheet> {
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

/** A CSV as one unnamed sheet, its separator sniffed from `head`, the first bytes of `stream`. */
export async function* csvSheets(stream: Readable, head: Buffer): AsyncGenerator<Sheet> {
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
