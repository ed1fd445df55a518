// POST /api/contacts/import of a generated 50,000-row .xlsx through the HTTP route on SQLite:
// rows per second and the server process's peak RSS (the server runs in its own process, as `npm start`). Targets: ≥ 10,000 rows/s; peak RSS < 300 MB.
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSpreadsheet } from '../packages/core/src/contacts/spreadsheet.js';
import { report } from './support/report.js';
import { startChildServer } from './support/child-server.js';
import { BENCH_ADMIN_TOKEN } from './support/servers.js';

const ROWS = 50_000;
const dir = await mkdtemp(join(tmpdir(), 'kirim-bench-import-'));
const file = join(dir, 'contacts.xlsx');
await writeSpreadsheet(
  createWriteStream(file),
  'xlsx',
  ['Nama', 'No HP', 'Email', 'Perusahaan', 'Kota', 'Produk'],
  (function* () {
    for (let i = 0; i < ROWS; i++)
      yield [
        `Pelanggan ${i}`,
        `0812${(10_000_000 + i).toString()}`,
        `p${i}@toko.id`,
        `Toko ${i % 500}`,
        'Bandung',
        `SKU-${i % 97}`,
      ];
  })(),
);
const upload = await readFile(file);

const server = await startChildServer();
const idle = server.peakRssMb();
const form = new FormData();
form.set('file', new Blob([upload]), 'contacts.xlsx');
const started = performance.now();
const res = await fetch(`${server.url}/api/contacts/import`, {
  method: 'POST',
  headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` },
  body: form,
});
const body = (await res.json()) as { data?: { imported?: number } };
const seconds = (performance.now() - started) / 1000;
const peak = server.peakRssMb();
if (body.data?.imported !== ROWS)
  throw new Error(`import did not take every row: ${JSON.stringify(body).slice(0, 300)}`);

report('import.xlsx_50k.rows_per_second', ROWS / seconds, 'rows/s', { op: '>=', value: 10_000 });
report('import.server_idle_rss', idle, 'MB');
report('import.xlsx_50k.peak_rss', peak, 'MB', { op: '<=', value: 300 });
await server.stop();
await rm(dir, { recursive: true, force: true });
