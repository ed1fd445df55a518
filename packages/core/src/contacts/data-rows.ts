/** The rows below a sheet's header: their headed cells, and the totals and note rows that are not data. */
import type { Column, FoundHeader, HeaderSpec } from './header-row.js';
import type { RawRecord } from './sheet-sources.js';

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

/** A record's headed cells, keyed by header text in an object without a prototype. */
function rowValues(cells: readonly string[], columns: readonly Column[]): Record<string, string> {
  const values: Record<string, string> = Object.create(null);
  for (const { index, text } of columns) values[text] = cells[index] ?? '';
  return values;
}

/** The rows below the header with a headed cell filled, none marked `skip` (reading without a {@link HeaderSpec}). */
export async function* dataRows(records: AsyncIterable<RawRecord>, columns: Column[]): AsyncGenerator<SpreadsheetRow> {
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

/** Rows below the header with totals rows and notes below the data marked `skip` (see readSpreadsheetRows). */
export async function* classifiedRows<F extends string>(
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
