import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ContactImportReport } from '@kirim/core';
import { CliError, usageError, type CommandModule } from './command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectToKirim } from './kirim-client.js';
import { progressBar } from './progress-bar.js';

/** `kirim import FILE`: imports contacts from a spreadsheet, with a progress bar on a terminal. */
export const command: CommandModule = {
  options: {
    ...CONNECTION_OPTIONS,
    'skip-duplicates': { type: 'boolean' },
    'set-active': { type: 'boolean' },
  },
  help: `Imports contacts from FILE (.xlsx or .csv, as people make them: the header row is found by itself) and
reports each row not imported as new, with its row number and why. A progress bar shows on a terminal only.
  --skip-duplicates  leave a number already in your contacts as it is (default: update it)
  --set-active       mark every imported contact active
${CONNECTION_HELP}
  --json             the import report as the API answers it`,

  takesArguments: true,
  async run({ values, positionals, stderr }) {
    if (positionals.length !== 1) throw usageError(positionals.length === 0 ? 'missing FILE' : 'one FILE at a time');
    const file = positionals[0];
    const kirim = connectToKirim(values);
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${file} (${error.code ?? error.message})`, 'check the path');
    });
    const form = new FormData();
    form.set('file', new Blob([bytes]), basename(file));
    if (values['skip-duplicates']) form.set('skip_duplicates', 'true');
    if (values['set-active']) form.set('set_active', 'true');

    const bar = progressBar(stderr, `Importing ${basename(file)}`);
    const report = await kirim
      .upload<ContactImportReport>('/contacts/import', form, (sent) =>
        bar.update(sent, sent < 1 ? 'uploading' : 'reading the rows'),
      )
      .finally(() => bar.done());
    return { data: report.data, text: reportText(report.data) };
  },
};

/** The counts, then each row not imported as new: its number, what happened and why. */
function reportText(report: ContactImportReport): string {
  const counts = `${report.imported} imported, ${report.updated} updated, ${report.skipped} skipped, ${report.failed} failed`;
  const where = `${report.sheet ? `sheet "${report.sheet}", ` : ''}header on row ${report.header_row}`;
  const rows = report.rows.map((row) => {
    const fields = Object.entries(row.errors ?? {}).map(([field, reasons]) => `${field}: ${reasons.join(', ')}`);
    return `  row ${row.row}: ${row.status} (${fields.length > 0 ? fields.join('; ') : row.reason})`;
  });
  return [`${counts} (${where}).`, ...rows].join('\n');
}
