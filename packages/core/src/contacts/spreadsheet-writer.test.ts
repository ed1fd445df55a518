import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readSpreadsheetRows } from './spreadsheet.js';
import { readAll, written } from './spreadsheet-test-helpers.js';
import { writeSpreadsheet } from './spreadsheet-writer.js';
import { useTempFolder } from './test-files.js';

const tempPath = useTempFolder('kirim-writer-');

describe('writeSpreadsheet', () => {
  const headers = ['Nama', 'No HP', 'Catatan', 'Kosong'];
  const tricky = [
    ['Budi Santoso', '6281234567890', 'a; b, "c"\nline two', ''],
    ['Siti Ñoño 🙂 سلام', '081234567890', '=1+2', ' spaced '],
    ['', '+6581234567', '-6.9175', '@home'],
  ];

  it('round-trips an xlsx: phone strings, unicode, separators, quotes and newlines come back identical', async () => {
    const path = tempPath('round-trip.xlsx');
    await writeSpreadsheet(createWriteStream(path), 'xlsx', headers, tricky);
    const { headers: read, rows } = await readAll(path, 'xlsx');
    expect(read).toEqual(headers);
    expect(rows).toEqual(
      tricky.map((values, i) => ({ row: i + 2, values: Object.fromEntries(headers.map((h, j) => [h, values[j]])) })),
    );
  });

  it('writes xlsx phone columns as text: string cells in text-formatted columns', async () => {
    const path = tempPath('text.xlsx');
    await writeSpreadsheet(createWriteStream(path), 'xlsx', ['Phone'], [['081234567890']]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const cell = workbook.worksheets[0].getCell('A2');
    expect(cell.value).toBe('081234567890');
    expect(workbook.worksheets[0].getColumn(1).numFmt).toBe('@');
  });

  it('accepts async rows, fills missing cells and reads back nulls as empty', async () => {
    async function* rows() {
      yield ['a'];
      yield ['b', null as unknown as string, 'c'];
    }
    const { rows: read } = await readAll(Readable.from([await written('xlsx', ['X', 'Y', 'Z'], rows())]), 'xlsx');
    expect(read).toEqual([
      { row: 2, values: { X: 'a', Y: '', Z: '' } },
      { row: 3, values: { X: 'b', Y: '', Z: 'c' } },
    ]);
  });

  it('writes CSV as UTF-8 with BOM, commas, CRLF and quotes where needed', async () => {
    const csv = (await written('csv', headers, tricky)).toString('utf8');
    expect(csv.startsWith('\uFEFFNama,No HP,Catatan,Kosong\r\n')).toBe(true);
    expect(csv).toContain('Budi Santoso,6281234567890,"a; b, ""c""\nline two",\r\n');
    // Formula-looking text is defused; numbers and phone numbers are left alone.
    expect(csv).toContain(`Siti Ñoño 🙂 سلام,081234567890,'=1+2," spaced "\r\n`);
    expect(csv).toContain(`,+6581234567,-6.9175,'@home\r\n`);
  });

  it('round-trips a CSV through the reader', async () => {
    const rows = [['Budi', '6281234567890', 'a; b, "c"\r\nline two', 'x']];
    const { rows: read } = await readAll(Readable.from([await written('csv', headers, rows)]), 'csv');
    expect(read).toEqual([
      { row: 2, values: { Nama: 'Budi', 'No HP': '6281234567890', Catatan: 'a; b, "c"\r\nline two', Kosong: 'x' } },
    ]);
  });

  it('rejects when the output fails', async () => {
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('connection reset'));
      },
    });
    await expect(writeSpreadsheet(broken, 'csv', ['a'], [['1']])).rejects.toThrow('connection reset');
    const brokenZip = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('connection reset'));
      },
    });
    await expect(writeSpreadsheet(brokenZip, 'xlsx', ['a'], [['1']])).rejects.toThrow('connection reset');
  });
});

describe('spreadsheets with 50,000 rows', () => {
  const count = 50_000;
  function* rows(): Generator<string[]> {
    for (let i = 0; i < count; i++) {
      yield [
        `Contact ${i}`,
        `62812${String(i).padStart(8, '0')}`,
        `c${i}@example.com`,
        'Bandung',
        i % 7 === 0 ? 'VIP; "gold"' : '',
      ];
    }
  }
  const headers = ['Nama', 'No HP', 'Email', 'Kota', 'Catatan'];

  for (const kind of ['xlsx', 'csv'] as const) {
    it(`writes and streams back a 50,000-row ${kind} with every row intact`, async () => {
      const path = tempPath(`big.${kind}`);
      await writeSpreadsheet(createWriteStream(path), kind, headers, rows());
      expect((await stat(path)).size).toBeGreaterThan(1_000_000);
      let n = 0;
      for await (const { row, values } of readSpreadsheetRows(path, kind)) {
        // Checked as we go: collecting 50,000 rows would test memory, not the reader.
        if (row !== n + 2 || values['No HP'] !== `62812${String(n).padStart(8, '0')}`) {
          throw new Error(`row ${row} came back as ${JSON.stringify(values)}`);
        }
        if (n % 7 === 0) expect(values.Catatan).toBe('VIP; "gold"');
        n += 1;
      }
      expect(n).toBe(count);
    }, 20_000);
  }

  it('stops early without reading or holding the rest of the file', async () => {
    const path = tempPath('big.xlsx');
    const first: number[] = [];
    for await (const { row } of readSpreadsheetRows(path, 'xlsx')) {
      first.push(row);
      if (first.length === 3) break;
    }
    expect(first).toEqual([2, 3, 4]);
  });
});
