/** Streaming spreadsheet exports: xlsx through ExcelJS's streaming writer, or CSV, a row at a time. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { SpreadsheetKind } from './spreadsheet-kind.js';

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
