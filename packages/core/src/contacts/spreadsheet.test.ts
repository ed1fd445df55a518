import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { PassThrough, Readable, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { KirimError, isKirimError } from '../errors.js';
import { normalisePhone } from './phone.js';
import {
  CONTACT_HEADER_ALIASES,
  LEAD_HEADER_ALIASES,
  ROUNDED_PHONE_REASON,
  cellToString,
  explainRoundedPhone,
  detectSpreadsheetKind,
  matchHeaders,
  readSpreadsheetRows,
  writeSpreadsheet,
  type HeaderLocation,
  type HeaderMatch,
  type HeaderSpec,
  type SpreadsheetKind,
  type SpreadsheetRow,
} from './spreadsheet.js';
import { fixture, useTempFolder } from './test-files.js';

const tempPath = useTempFolder('kirim-spreadsheet-');

async function readAll(
  input: Readable | string,
  kind: SpreadsheetKind,
): Promise<{ headers: string[]; rows: SpreadsheetRow[] }> {
  let headers: string[] = [];
  const rows: SpreadsheetRow[] = [];
  for await (const row of readSpreadsheetRows(input, kind, { onHeaders: (h) => (headers = h) })) rows.push(row);
  return { headers, rows };
}

/** Writes a spreadsheet into memory. */
async function written(kind: SpreadsheetKind, headers: string[], rows: Iterable<string[]> | AsyncIterable<string[]>) {
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

async function expectUnreadable(input: Readable | string, kind: SpreadsheetKind, reason: string | RegExp) {
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

const contactHeader: HeaderSpec = {
  aliases: CONTACT_HEADER_ALIASES,
  required: 'phone',
  key: 'phone',
  missing: 'has no phone column',
};
const leadHeader: HeaderSpec = {
  aliases: LEAD_HEADER_ALIASES,
  required: 'business_name',
  key: 'phone',
  missing: 'has no business name column',
};

/** Reads as an import does: the header found by `spec`, totals and notes marked. */
async function readImport(input: Readable | string, kind: SpreadsheetKind, spec: HeaderSpec = contactHeader) {
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

const csv = (text: string) => Readable.from([Buffer.from(text)]);
const skips = (rows: SpreadsheetRow[]) => rows.filter((r) => r.skip).map((r) => [r.row, r.skip]);

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

describe('readSpreadsheetRows: an .xlsx read from its zip directory', () => {
  /** Runs `read` with the temp folder (where ExcelJS's streaming reader wrote its tmp-* files) set to a new, empty one. */
  async function inOwnTempFolder(read: (folder: string) => Promise<void>): Promise<void> {
    const folder = await mkdtemp(tempPath('tmp-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = folder;
    try {
      await read(folder);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
  }

  it('reads a LibreOffice workbook of several sheets the same 200 times in a row, from its path or a stream: its shared strings, stored after the sheets, are never lost', async () => {
    const path = fixture('contacts-second-sheet.xlsx');
    const first = await readImport(path, 'xlsx');
    expect(first.location).toEqual({ sheet: 'Kontak', row: 1 });
    expect(first.rows.map((r) => r.values.Nama)).toEqual(['Budi Santoso', 'Siti Aminah']);
    // Read once each: the streaming reader lost them in about one read in six, and a stream cannot be read again.
    for (let i = 1; i < 200; i++)
      expect(await readImport(i % 2 ? createReadStream(path) : path, 'xlsx')).toEqual(first);
  });

  it('writes no temp file while it reads a LibreOffice workbook, so a read given up half-way leaves none whose deletion a late open meets (the uncaught ENOENT)', async () => {
    await inOwnTempFolder(async (folder) => {
      for (let i = 0; i < 20; i++) {
        for await (const row of readSpreadsheetRows(fixture('contacts-second-sheet.xlsx'), 'xlsx', {
          header: contactHeader,
        })) {
          expect(row.values.Nama).toBe('Budi Santoso');
          expect(await readdir(folder)).toEqual([]);
          break;
        }
      }
    });
  });

  it('copies an .xlsx given as a stream to a temp folder it removes when the read ends, also when given up half-way', async () => {
    await inOwnTempFolder(async (folder) => {
      const whole = await readImport(createReadStream(fixture('contacts-second-sheet.xlsx')), 'xlsx');
      expect(whole.rows.map((r) => r.values.Nama)).toEqual(['Budi Santoso', 'Siti Aminah']);
      expect(await readdir(folder)).toEqual([]);
      for await (const row of readSpreadsheetRows(createReadStream(fixture('contacts-second-sheet.xlsx')), 'xlsx', {
        header: contactHeader,
      })) {
        expect(row.values.Nama).toBe('Budi Santoso');
        expect((await readdir(folder)).map((name) => name.replace(/-\w+$/, ''))).toEqual(['kirim-xlsx']);
        break;
      }
      expect(await readdir(folder)).toEqual([]);
    });
  });

  it('reads a workbook stored as zip64, with stored entries among the deflated, as the original', async () => {
    // contacts-second-sheet.xlsx unzipped and zipped again by Info-ZIP: zip -fz -X -n .rels:styles.xml
    expect(await readImport(fixture('contacts-second-sheet-zip64.xlsx'), 'xlsx')).toEqual(
      await readImport(fixture('contacts-second-sheet.xlsx'), 'xlsx'),
    );
  });

  it('keeps whole the characters of several bytes that fall across two chunks of a part (ExcelJS decoded each chunk alone into U+FFFD)', async () => {
    const names = Array.from({ length: 3000 }, (_, i) => `Zoë Ñandú 李小龙 ${i} 😀 Đặng Thị Hương`);
    const workbook = new ExcelJS.Workbook();
    workbook
      .addWorksheet('Kontak')
      .addRows([['Nama', 'No HP'], ...names.map((name, i) => [name, `0812${String(i).padStart(8, '0')}`])]);
    const path = tempPath('multibyte.xlsx');
    await writeFile(path, Buffer.from(await workbook.xlsx.writeBuffer()));
    const { rows } = await readAll(path, 'xlsx');
    expect(rows.map((r) => r.values.Nama)).toEqual(names);
  });

  it('refuses a workbook whose part is corrupt, naming file, with nothing read', async () => {
    const zipBytes = await readFile(fixture('contacts-second-sheet.xlsx'));
    // The CRC-32 of the shared strings in the central directory (16 bytes into the entry, 46 before its name).
    const crc = zipBytes.lastIndexOf('xl/sharedStrings.xml') - 46 + 16;
    zipBytes.writeUInt32LE((zipBytes.readUInt32LE(crc) ^ 1) >>> 0, crc);
    const path = tempPath('corrupt.xlsx');
    await writeFile(path, zipBytes);
    await expectUnreadable(path, 'xlsx', 'could not be read as an .xlsx spreadsheet');
  });
});

describe('__proto__, constructor and prototype headers', () => {
  it("are plain keys of a row's values and never extra columns", async () => {
    const { headers, rows } = await readImport(
      csv('Nama,No HP,__proto__,constructor,prototype\nBudi,0812,x,y,z\n'),
      'csv',
    );
    expect(headers).toEqual(['Nama', 'No HP', '__proto__', 'constructor', 'prototype']);
    expect(Object.getPrototypeOf(rows[0].values)).toBeNull();
    expect(rows[0].values.__proto__).toBe('x');
    expect(matchHeaders(headers, CONTACT_HEADER_ALIASES)).toEqual({
      fields: { name: 'Nama', phone: 'No HP' },
      extra: [],
    });
  });
});

describe('explainRoundedPhone', () => {
  it("names a phone a spreadsheet rounded to scientific notation, in any locale's spelling, and leaves other errors alone", () => {
    for (const phone of ['6.28131E+12', '6,28131E+12', '6.3e12', ' 6E+12 ']) {
      expect(explainRoundedPhone({ phone: ['is not a valid phone number'], email: ['bad'] }, phone), phone).toEqual({
        phone: [ROUNDED_PHONE_REASON],
        email: ['bad'],
      });
    }
    expect(explainRoundedPhone({ phone: ['is not a valid phone number'] }, 'bukan nomor')).toEqual({
      phone: ['is not a valid phone number'],
    });
  });
});

describe('readSpreadsheetRows: contacts-libreoffice.xlsx', () => {
  it('yields rows keyed by the original headers, with spreadsheet row numbers and the blank row 10 skipped', async () => {
    const { headers, rows } = await readAll(fixture('contacts-libreoffice.xlsx'), 'xlsx');
    expect(headers).toEqual(['Nama', 'No HP', 'Email', 'Perusahaan', 'Jabatan', 'Alamat', 'Kota', 'Negara', 'Catatan']);
    expect(rows.map((r) => r.row)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 11, 12]);
    expect(rows[0].values).toEqual({
      Nama: 'Budi Santoso',
      'No HP': '0812-3456-7890',
      Email: 'budi@example.co.id',
      Perusahaan: 'PT Maju Jaya',
      Jabatan: 'Direktur',
      Alamat: 'Jl. Merdeka No. 1',
      Kota: 'Bandung',
      Negara: 'Indonesia',
      Catatan: 'pelanggan lama',
    });
    expect(rows[2].values.Email).toBe('');
    expect(rows[7].values).toMatchObject({ Nama: 'Baris Rusak', 'No HP': 'bukan nomor', Email: 'rusak@' });
  });

  it('matches the Indonesian headers and normalises every phone as the fixture README expects', async () => {
    const { headers, rows } = await readAll(fixture('contacts-libreoffice.xlsx'), 'xlsx');
    const { fields, extra } = matchHeaders(headers, CONTACT_HEADER_ALIASES);
    expect(fields).toEqual({
      name: 'Nama',
      phone: 'No HP',
      email: 'Email',
      company: 'Perusahaan',
      position: 'Jabatan',
      address: 'Alamat',
      city: 'Kota',
      country: 'Negara',
      notes: 'Catatan',
    });
    expect(extra).toEqual([]);
    const phones = rows.map((r) => {
      try {
        return normalisePhone(r.values[fields.phone!]);
      } catch {
        return null;
      }
    });
    expect(phones).toEqual([
      '6281234567890',
      '6281311112222',
      '6285700001111',
      '6282199990000',
      '6281122334455',
      '6281398765432',
      '6581234567',
      null,
      '6281234567890',
      '6285712345678',
    ]);
  });
});

describe('readSpreadsheetRows: leads-libreoffice.xlsx', () => {
  it('reads numbers as plain decimals and keeps an empty phone as empty', async () => {
    const { headers, rows } = await readAll(fixture('leads-libreoffice.xlsx'), 'xlsx');
    expect(matchHeaders(headers, LEAD_HEADER_ALIASES)).toEqual({
      fields: {
        business_name: 'Nama Usaha',
        address: 'Alamat',
        phone: 'Telepon',
        website: 'Website',
        latitude: 'Latitude',
        longitude: 'Longitude',
        source: 'Sumber',
      },
      extra: [],
    });
    expect(rows.map((r) => r.row)).toEqual([2, 3, 4, 5, 6]);
    expect(rows[0].values).toMatchObject({ Latitude: '-6.9175', Longitude: '107.6091', Telepon: '0812-2000-1111' });
    expect(rows[2].values).toMatchObject({ 'Nama Usaha': 'Toko Roti Enak', Telepon: '' });
    expect(rows[3].values.Latitude).toBe('91.5');
    expect(rows[4].values.Telepon).toBe('6281220001111');
  });
});

describe('readSpreadsheetRows: CSV', () => {
  it('reads the Excel "CSV UTF-8" fixture: BOM, semicolons, CRLF, a quoted field holding ; and "', async () => {
    const { headers, rows } = await readAll(createReadStream(fixture('contacts-excel-semicolon.csv')), 'csv');
    expect(headers).toEqual(['Nama', 'No HP', 'Email', 'Kota']);
    expect(rows.map((r) => r.row)).toEqual([2, 3, 4, 5, 6]);
    expect(rows[1].values).toEqual({
      Nama: 'Siti; "Ibu" Aminah',
      'No HP': '+62 813 1111 2222',
      Email: 'siti@example.co.id',
      Kota: 'Bandung',
    });
    expect(rows[3].values).toEqual({ Nama: 'Baris Rusak', 'No HP': 'bukan nomor', Email: 'x@', Kota: '' });
  });

  it('reads comma-separated CSV without BOM, LF line ends and quoted newlines, counting rows as a spreadsheet does', async () => {
    const csv = 'Name,Phone,Notes\n\nBudi,0812-3456-7890,"line one\nline two"\n,,\nSiti,"+62 813, ext",x\n';
    const { headers, rows } = await readAll(Readable.from([Buffer.from(csv)]), 'csv');
    expect(headers).toEqual(['Name', 'Phone', 'Notes']);
    expect(rows).toEqual([
      { row: 3, values: { Name: 'Budi', Phone: '0812-3456-7890', Notes: 'line one\nline two' } },
      { row: 5, values: { Name: 'Siti', Phone: '+62 813, ext', Notes: 'x' } },
    ]);
  });

  it('sniffs the separator from the header line, not from the data', async () => {
    const csv = '\uFEFFNama;Catatan\r\nBudi;"a, b, c, d"\r\n';
    const { rows } = await readAll(Readable.from([Buffer.from(csv)]), 'csv');
    expect(rows[0].values).toEqual({ Nama: 'Budi', Catatan: 'a, b, c, d' });
  });

  it('reads tab-separated text and rows shorter or longer than the header', async () => {
    const csv = 'Name\tPhone\nBudi\nSiti\t0812\textra\n';
    const { rows } = await readAll(Readable.from([Buffer.from(csv)]), 'csv');
    expect(rows).toEqual([
      { row: 2, values: { Name: 'Budi', Phone: '' } },
      { row: 3, values: { Name: 'Siti', Phone: '0812' } },
    ]);
  });

  it('handles a multi-byte character split across chunks', async () => {
    const bytes = Buffer.from('Nama,Kota\nJosé,Bandung ☕\n');
    const chunks = Array.from(bytes, (b) => Buffer.from([b]));
    const { rows } = await readAll(Readable.from(chunks), 'csv');
    expect(rows[0].values).toEqual({ Nama: 'José', Kota: 'Bandung ☕' });
  });

  it('trims header text, names repeated headers apart and ignores unheaded columns', async () => {
    const csv = ' Phone ,Phone,,Name\n0812,0813,lost,Budi\n';
    const { headers, rows } = await readAll(Readable.from([Buffer.from(csv)]), 'csv');
    expect(headers).toEqual(['Phone', 'Phone (2)', 'Name']);
    expect(rows[0].values).toEqual({ Phone: '0812', 'Phone (2)': '0813', Name: 'Budi' });
  });

  it('yields nothing for a header-only file and refuses a blank or empty one', async () => {
    expect(await readAll(Readable.from([Buffer.from('Nama,No HP\r\n')]), 'csv')).toEqual({
      headers: ['Nama', 'No HP'],
      rows: [],
    });
    await expectUnreadable(Readable.from([Buffer.from('\uFEFF\r\n ; \r\n')]), 'csv', 'has no header row');
    await expectUnreadable(Readable.from([]), 'csv', 'is empty');
    await expectUnreadable(Readable.from([]), 'xlsx', 'is empty');
  });

  it('refuses a CSV with an unclosed quote as a validation error', async () => {
    await expectUnreadable(Readable.from([Buffer.from('a,b\n"x,y\n')]), 'csv', 'could not be read as CSV');
  });
});

describe('readSpreadsheetRows: cell values', () => {
  it('converts typed xlsx cells to the text a user sees', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Typed');
    // An empty first row and column: the header is the first non-blank row, wherever it is.
    ['Phone', 'Email', 'Born', 'At', 'Total', 'Rich', 'Ok', 'Big', 'Tiny', 'Err'].forEach((header, i) => {
      sheet.getRow(3).getCell(i + 2).value = header;
    });
    const row = sheet.getRow(4);
    row.getCell(2).value = 6281234567890;
    row.getCell(3).value = { text: 'budi@example.co.id', hyperlink: 'mailto:budi@example.co.id' };
    row.getCell(4).value = new Date(Date.UTC(1990, 4, 17));
    row.getCell(4).numFmt = 'yyyy-mm-dd';
    row.getCell(5).value = new Date(Date.UTC(2024, 0, 2, 13, 45, 0));
    row.getCell(5).numFmt = 'yyyy-mm-dd hh:mm';
    row.getCell(6).value = { formula: '1+2', result: 3 };
    row.getCell(7).value = { richText: [{ text: 'Pak ', font: { bold: true } }, { text: 'Budi' }] };
    row.getCell(8).value = true;
    row.getCell(9).value = 1e21;
    row.getCell(10).value = 0.0000001;
    row.getCell(11).value = { error: '#N/A' };
    const path = tempPath('typed.xlsx');
    await workbook.xlsx.writeFile(path);

    const { headers, rows } = await readAll(path, 'xlsx');
    expect(headers).toEqual(['Phone', 'Email', 'Born', 'At', 'Total', 'Rich', 'Ok', 'Big', 'Tiny', 'Err']);
    expect(rows).toEqual([
      {
        row: 4,
        values: {
          Phone: '6281234567890',
          Email: 'budi@example.co.id',
          Born: '1990-05-17',
          At: '2024-01-02T13:45:00',
          Total: '3',
          Rich: 'Pak Budi',
          Ok: 'TRUE',
          Big: '1000000000000000000000',
          Tiny: '0.0000001',
          Err: '#N/A',
        },
      },
    ]);
  });

  it('cellToString never uses exponent notation', () => {
    expect(cellToString(6281234567890)).toBe('6281234567890');
    expect(cellToString(6.2812345678901e21)).toBe('6281234567890100000000');
    expect(cellToString(-1.5e-8)).toBe('-0.000000015');
    expect(cellToString(-6.9175)).toBe('-6.9175');
    expect(cellToString(null)).toBe('');
    expect(cellToString({ formula: 'A1', result: { error: '#REF!' } })).toBe('#REF!');
    expect(cellToString({ sharedFormula: 'A1', result: 'x' })).toBe('x');
    expect(cellToString({ text: { richText: [{ text: 'a' }, { text: 'b' }] }, hyperlink: 'http://x' })).toBe('ab');
  });
});

describe('readSpreadsheetRows: refusing what is not a spreadsheet', () => {
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 7)]);

  it('refuses a PNG as xlsx or as CSV with a validation error naming file', async () => {
    await expectUnreadable(Readable.from([png]), 'xlsx', 'is not an .xlsx spreadsheet');
    await expectUnreadable(Readable.from([png]), 'csv', 'is not a CSV text file');
  });

  it('refuses random binary, a truncated xlsx and a zip that holds no workbook', async () => {
    await expectUnreadable(Readable.from([Buffer.from([0, 1, 2, 3, 255, 254, 0, 0])]), 'csv', 'is not a CSV text file');
    const xlsx = await readFile(fixture('contacts-libreoffice.xlsx'));
    await expectUnreadable(
      Readable.from([xlsx.subarray(0, 3000)]),
      'xlsx',
      'could not be read as an .xlsx spreadsheet',
    );
    // A valid archive whose worksheet entry is renamed away, as a .docx or any other zip looks to the reader.
    const notWorkbook = await written('xlsx', ['a'], []);
    for (
      let at = notWorkbook.indexOf('xl/worksheets/sheet1');
      at !== -1;
      at = notWorkbook.indexOf('xl/worksheets/sheet1')
    ) {
      notWorkbook.write('xl/worksheets/zzzzzz', at, 'latin1');
    }
    await expectUnreadable(Readable.from([notWorkbook]), 'xlsx', 'has no worksheet');
  });

  it('refuses CSV text handed in as xlsx', async () => {
    await expectUnreadable(
      createReadStream(fixture('contacts-excel-semicolon.csv')),
      'xlsx',
      'is not an .xlsx spreadsheet',
    );
  });

  it('uses the given field name in the error', async () => {
    const rows = readSpreadsheetRows(Readable.from([png]), 'xlsx', { field: 'attachment' });
    await expect(rows.next()).rejects.toMatchObject({
      code: 'validation',
      details: { attachment: ['is not an .xlsx spreadsheet'] },
    });
  });

  it('passes a KirimError thrown by onHeaders through unchanged and releases the input', async () => {
    const input = createReadStream(fixture('contacts-libreoffice.xlsx'));
    const refusal = readSpreadsheetRows(input, 'xlsx', {
      onHeaders: () => {
        throw new KirimError('validation', 'no phone column', { details: { file: ['has no phone column'] } });
      },
    });
    await expect(refusal.next()).rejects.toMatchObject({
      message: 'no phone column',
      details: { file: ['has no phone column'] },
    });
    expect(input.destroyed).toBe(true);
  });

  it('lets an error of the input itself through unchanged', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
    });
    await expect(readAll(failing, 'csv')).rejects.toThrow('disk on fire');
    await expect(readAll(tempPath('missing.xlsx'), 'xlsx')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('detectSpreadsheetKind', () => {
  it('tells xlsx, CSV and other files apart by content', async () => {
    expect(detectSpreadsheetKind((await readFile(fixture('contacts-libreoffice.xlsx'))).subarray(0, 512))).toBe('xlsx');
    expect(detectSpreadsheetKind((await readFile(fixture('contacts-excel-semicolon.csv'))).subarray(0, 512))).toBe(
      'csv',
    );
    expect(detectSpreadsheetKind(Buffer.from('Name,Phone\nJosé,0812'), 'upload.xlsx')).toBe('csv');
    expect(detectSpreadsheetKind(Buffer.from('89504e470d0a1a0a0000', 'hex'), 'contacts.csv')).toBeNull();
    expect(detectSpreadsheetKind(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3', 'latin1'))).toBeNull();
    expect(detectSpreadsheetKind(Buffer.from('d0cf11e0a1b11ae1', 'hex'), 'old.xls')).toBeNull();
    expect(
      detectSpreadsheetKind(Buffer.from('<html><table><tr><td>a</td></tr></table></html>'), 'export.xls'),
    ).toBeNull();
  });

  it('accepts a sample cut inside a multi-byte character', () => {
    const bytes = Buffer.from('Nama,Kota\nJosé');
    expect(detectSpreadsheetKind(bytes.subarray(0, bytes.length - 1))).toBe('csv');
  });

  it('falls back on the file name only for an empty sample', () => {
    expect(detectSpreadsheetKind(Buffer.alloc(0), 'a.CSV')).toBe('csv');
    expect(detectSpreadsheetKind(Buffer.alloc(0), 'a.xlsx')).toBe('xlsx');
    expect(detectSpreadsheetKind(Buffer.alloc(0))).toBeNull();
  });
});

describe('matchHeaders', () => {
  it('matches case-, space- and punctuation-insensitively across English and Indonesian spellings', () => {
    const cases: [string, string][] = [
      ['Name', 'name'],
      ['name', 'name'],
      ['Nama', 'name'],
      ['Full Name', 'name'],
      ['Phone', 'phone'],
      ['No HP', 'phone'],
      ['No. HP', 'phone'],
      ['WhatsApp', 'phone'],
      ['Nomor WA', 'phone'],
      ['Telepon', 'phone'],
      ['E-mail', 'email'],
      ['Perusahaan', 'company'],
      ['Jabatan', 'position'],
      ['Alamat', 'address'],
      ['Kota', 'city'],
      ['Negara', 'country'],
      ['Catatan', 'notes'],
      ['  NO_HP  ', 'phone'],
      ['e mail', 'email'],
    ];
    for (const [header, field] of cases) {
      expect(matchHeaders([header], CONTACT_HEADER_ALIASES).fields, header).toEqual({ [field]: header });
    }
  });

  it('returns unmatched headers as extra columns, in order', () => {
    expect(matchHeaders(['Nama', 'Hobi', 'No HP', 'Ukuran Baju'], CONTACT_HEADER_ALIASES)).toEqual({
      fields: { name: 'Nama', phone: 'No HP' },
      extra: ['Hobi', 'Ukuran Baju'],
    });
  });

  it('gives each header to one field, preferring earlier aliases', () => {
    // "Nama" means business_name for leads only when there is no "Nama Usaha".
    expect(matchHeaders(['Nama', 'Nama Usaha'], LEAD_HEADER_ALIASES)).toEqual({
      fields: { business_name: 'Nama Usaha' },
      extra: ['Nama'],
    });
    expect(matchHeaders(['Phone', 'phone'], CONTACT_HEADER_ALIASES)).toEqual({
      fields: { phone: 'Phone' },
      extra: ['phone'],
    });
  });

  it('matches the canonical field names themselves', () => {
    expect(matchHeaders(['business_name', 'Lat', 'Lng'], LEAD_HEADER_ALIASES).fields).toEqual({
      business_name: 'business_name',
      latitude: 'Lat',
      longitude: 'Lng',
    });
  });
});

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

describe('readSpreadsheetRows: input forms', () => {
  it('reads from a path or a stream alike', async () => {
    const fromPath = await readAll(fixture('contacts-libreoffice.xlsx'), 'xlsx');
    const stream = new PassThrough();
    stream.end(await readFile(fixture('contacts-libreoffice.xlsx')));
    expect(await readAll(stream, 'xlsx')).toEqual(fromPath);
  });

  it('reads an xlsx whose sheets come after its shared strings (Excel order) as well as before', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('A').addRows([
      ['Nama', 'No HP'],
      ['Budi', '0812'],
    ]);
    workbook.addWorksheet('B').addRows([['ignored']]);
    const path = tempPath('excel-order.xlsx');
    await writeFile(path, Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(await readAll(path, 'xlsx')).toEqual({
      headers: ['Nama', 'No HP'],
      rows: [{ row: 2, values: { Nama: 'Budi', 'No HP': '0812' } }],
    });
  });
});
