/** Rows as aligned columns, the first row the header; `-` for an empty cell. */
export function textTable(rows: Array<Array<string | null | undefined>>): string {
  const cells = rows.map((row) => row.map((cell) => cell || '-'));
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
