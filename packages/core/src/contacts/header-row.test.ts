import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { normalisePhone } from './phone.js';
import { CONTACT_HEADER_ALIASES, matchHeaders, readSpreadsheetRows, type HeaderMatch } from './spreadsheet.js';
import { contactHeader, csv, leadHeader, readImport, skips } from './spreadsheet-test-helpers.js';
import { fixture, useTempFolder } from './test-files.js';

const tempPath = useTempFolder('kirim-header-row-');

describe('readSpreadsheetRows with a header spec: sheets as people make them', () => {
  it('hands onHeaders the fields of the header it chose, matched once: the same the import maps rows with', async () => {
    let match: HeaderMatch | undefined;
    let headers: string[] = [];
    const rows = readSpreadsheetRows(fixture('contacts-merged-header.xlsx'), 'xlsx', {
      header: contactHeader,
      onHeaders: (h, _where, m) => ((headers = h), (match = m)),
    });
    for await (const _ of rows);
    expect(match).toEqual({ fields: { name: 'Nama', phone: 'No HP', email: 'Email', city: 'Kota' }, extra: [] });
    expect(match).toEqual(matchHeaders(headers, CONTACT_HEADER_ALIASES));
  });

  it('finds the header below a merged title, an export note and a blank row', async () => {
    const { headers, location, rows } = await readImport(fixture('contacts-title-rows.xlsx'), 'xlsx');
    expect(location).toEqual({ sheet: 'Kontak', row: 4 });
    expect(headers).toEqual(['Nama', 'No HP', 'Email', 'Kota']);
    expect(rows.map((r) => [r.row, r.values.Nama, r.skip])).toEqual([
      [5, 'Budi Santoso', undefined],
      [6, 'Siti Aminah', undefined],
      [7, 'Baris Rusak', undefined],
      [8, 'Ahmad Fauzi', undefined],
    ]);
  });

  it('marks the totals row and the merged note below the data as skipped, keeping a row with a bad phone as data', async () => {
    const { location, rows } = await readImport(fixture('contacts-totals-and-notes.xlsx'), 'xlsx');
    expect(location).toEqual({ sheet: 'Kontak', row: 1 });
    expect(rows.filter((r) => !r.skip).map((r) => r.row)).toEqual([2, 3, 4, 5]);
    expect(rows.find((r) => r.row === 4)?.values['No HP']).toBe('0812-34');
    expect(skips(rows)).toEqual([
      [7, 'totals row ("Total"), not data'],
      [8, 'note below the data ("Catatan: nomor dikumpulkan di pameran J…"), not data'],
    ]);
  });

  it('reads numeric phone cells as their whole digits, whatever their display format', async () => {
    const { rows } = await readImport(fixture('contacts-numeric-phones.xlsx'), 'xlsx');
    expect(rows.map((r) => r.values['No HP'])).toEqual([
      '81234567890',
      '6281311112222',
      '6285700001111',
      '82199990000',
      '081398765432',
    ]);
    expect(rows.map((r) => normalisePhone(r.values['No HP']))).toEqual([
      '6281234567890',
      '6281311112222',
      '6285700001111',
      '6282199990000',
      '6281398765432',
    ]);
  });

  it('reads date and date-time cells as ISO text without a zone', async () => {
    const { rows } = await readImport(fixture('contacts-dates.xlsx'), 'xlsx');
    expect(rows.map((r) => [r.values['Tanggal Lahir'], r.values.Ditambahkan, r.values.Catatan])).toEqual([
      ['1990-05-17', '2024-05-01T09:30:00', '2024-06-01'],
      ['1985-12-31', '2024-05-02T16:05:00', 'pelanggan baru'],
    ]);
  });

  it('reads a header merged over two rows as one header row: merged-down cells take their text from above', async () => {
    const { headers, location, rows } = await readImport(fixture('contacts-merged-header.xlsx'), 'xlsx');
    expect(location).toEqual({ sheet: 'Kontak', row: 2 });
    expect(headers).toEqual(['Nama', 'No HP', 'Email', 'Kota']);
    expect(rows.map((r) => r.row)).toEqual([3, 4, 5]);
    expect(rows[0].values).toEqual({
      Nama: 'Budi Santoso',
      'No HP': '0812-3456-7890',
      Email: 'budi@example.co.id',
      Kota: 'Bandung',
    });
  });

  it('reads the first sheet whose header names the required column, past an instructions sheet', async () => {
    const { location, rows } = await readImport(fixture('contacts-second-sheet.xlsx'), 'xlsx');
    expect(location).toEqual({ sheet: 'Kontak', row: 1 });
    expect(rows.map((r) => r.values.Nama)).toEqual(['Budi Santoso', 'Siti Aminah']);
  });

  it('reads a leads sheet after a summary sheet, with its title, numeric phones and totals row', async () => {
    const { location, rows } = await readImport(fixture('leads-people-made.xlsx'), 'xlsx', leadHeader);
    expect(location).toEqual({ sheet: 'Leads', row: 3 });
    expect(rows.map((r) => [r.row, r.values.Telepon, r.skip])).toEqual([
      [4, '81220001111', undefined],
      [5, '6281320002222', undefined],
      [6, '', undefined],
      [7, '3', 'totals row ("Total"), not data'],
    ]);
  });

  it('keeps the CSV text of a rounded number as it is, for the import to refuse', async () => {
    const { rows } = await readImport(createReadStream(fixture('contacts-numeric-phones.csv')), 'csv');
    expect(rows.map((r) => r.values['No HP'])).toEqual(['81234567890', '6.28131E+12', '6285700001111']);
  });

  it('takes a single-cell row between data rows as data, and only the ones after the last data row as notes', async () => {
    const { rows } = await readImport(
      csv('Nama;No HP;Kota\nBudi;0812;Bandung\nSiti\nAgus;0813;\nSumber: pameran\n;0814;\nDicetak 1 Mei\n'),
      'csv',
    );
    expect(rows.map((r) => [r.row, r.skip ?? 'data'])).toEqual([
      [2, 'data'],
      [3, 'data'],
      [4, 'data'],
      [5, 'data'],
      [6, 'data'],
      [7, 'note below the data ("Dicetak 1 Mei"), not data'],
    ]);
  });

  it('takes every row of a one-column file as data, and a totals label in the phone column as data', async () => {
    expect((await readImport(csv('No HP\n0812\nTotal\n'), 'csv')).rows.map((r) => r.skip)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it("refuses a file whose first rows hold no header naming the required column, with the spec's reason", async () => {
    const twentyTitles = Array.from({ length: 20 }, (_, i) => `Judul ${i}`).join('\n');
    await expect(readImport(csv(`${twentyTitles}\nNama,No HP\nBudi,0812\n`), 'csv')).rejects.toMatchObject({
      code: 'validation',
      details: { file: ['has no phone column'] },
    });
  });

  it("reads a later sheet after a first sheet read in part, in Excel's part order", async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Catatan').addRows(Array.from({ length: 40 }, (_, i) => [`baris ${i}`, i]));
    workbook.addWorksheet('Kontak').addRows([
      ['Nama', 'No HP'],
      ['Budi', '0812'],
    ]);
    const path = tempPath('second-sheet-excel-order.xlsx');
    await writeFile(path, Buffer.from(await workbook.xlsx.writeBuffer()));
    const { location, rows } = await readImport(path, 'xlsx');
    expect(location).toEqual({ sheet: 'Kontak', row: 1 });
    expect(rows).toEqual([{ row: 2, values: { Nama: 'Budi', 'No HP': '0812' } }]);
  });
});
