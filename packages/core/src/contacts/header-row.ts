/** Finding the header row among the first rows of a sheet, and the columns it heads. */
import { matchHeaders, type HeaderAliases, type HeaderMatch } from './header-aliases.js';
import type { RawRecord } from './sheet-sources.js';

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

/** How many non-blank rows at the top of each sheet are searched for the header. */
export const HEADER_SCAN_ROWS = 20;

/** A headed column: its 0-based index and its header text (trimmed, a repeat numbered apart). */
export interface Column {
  index: number;
  text: string;
}

/** The first `count` non-blank rows of a sheet; the rest stay in `records`. */
export async function topRows(records: AsyncIterator<RawRecord>, count: number): Promise<RawRecord[]> {
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
export interface FoundHeader<F extends string> {
  index: number;
  columns: Column[];
  match: HeaderMatch<F>;
}

/** The header among `top`: the first row without a spec, else the best match of `spec` (null when none names `spec.required`). */
export function findHeader<F extends string>(top: RawRecord[], spec: HeaderSpec<F> | undefined): FoundHeader<F> | null {
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
