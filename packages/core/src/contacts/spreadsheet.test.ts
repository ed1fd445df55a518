import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { KirimError } from '../errors.js';
import { normalisePhone } from './phone.js';
import { CONTACT_HEADER_ALIASES, LEAD_HEADER_ALIASES, matchHeaders, readSpreadsheetRows } from './spreadsheet.js';
import { contactHeader, csv, expectUnreadable, readAll, readImport, written } from './spreadsheet-test-helpers.js';
import { fixture, useTempFolder } from './test-files.js';

const tempPath = useTempFolder('kirim-spreadsheet-');

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
