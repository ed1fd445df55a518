import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

const fixture = (name: string) => readFile(new URL(`../fixtures/${name}`, import.meta.url));

function form(file: Buffer | string, filename: string, fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  data.set('file', new Blob([file]), filename);
  return data;
}

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Contacts');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe.each(DATABASES)('contacts over HTTP on %s', (database) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(database);
  });
  afterAll(async () => {
    await t?.close();
  });

  const newUser = () => t.createUser();

  describe('CRUD', () => {
    it('round-trips every documented field, with the phone normalised', async () => {
      const u = await newUser();
      const body = {
        name: 'Budi Santoso',
        phone: '+62 812-3456-7890',
        email: 'Budi@Example.com',
        company: 'Toko Budi',
        position: 'Owner',
        address: 'Jl. Merdeka 1',
        city: 'Bandung',
        country: 'Indonesia',
        notes: 'VIP',
        is_active: false,
      };
      const created = await t.request('POST', '/api/contacts', { token: u.token, body });
      expect(created.status).toBe(201);
      expect(created.body.data).toMatchObject({
        ...body,
        phone: '6281234567890',
        email: 'budi@example.com',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      const fetched = await t.request('GET', `/api/contacts/${created.body.data.id}`, { token: u.token });
      expect(fetched.body.data).toEqual(created.body.data);
    });

    it('rejects the same number in another spelling with 409', async () => {
      const u = await newUser();
      await t.request('POST', '/api/contacts', { token: u.token, body: { name: 'A', phone: '081234567890' } });
      const res = await t.request('POST', '/api/contacts', {
        token: u.token,
        body: { name: 'B', phone: '6281234567890@s.whatsapp.net' },
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('conflict');
    });

    it('lets two users hold the same number', async () => {
      const a = await newUser();
      const b = await newUser();
      expect(
        (await t.request('POST', '/api/contacts', { token: a.token, body: { name: 'A', phone: '081234567890' } }))
          .status,
      ).toBe(201);
      expect(
        (await t.request('POST', '/api/contacts', { token: b.token, body: { name: 'A', phone: '081234567890' } }))
          .status,
      ).toBe(201);
    });

    it('updates with PUT and PATCH and deletes', async () => {
      const u = await newUser();
      const id = (
        await t.request('POST', '/api/contacts', { token: u.token, body: { name: 'A', phone: '081111111111' } })
      ).body.data.id;
      expect(
        (await t.request('PUT', `/api/contacts/${id}`, { token: u.token, body: { name: 'Ann', city: 'Jakarta' } })).body
          .data,
      ).toMatchObject({ name: 'Ann', city: 'Jakarta' });
      expect(
        (await t.request('PATCH', `/api/contacts/${id}`, { token: u.token, body: { city: '' } })).body.data.city,
      ).toBeNull();
      expect((await t.request('DELETE', `/api/contacts/${id}`, { token: u.token })).status).toBe(200);
      expect((await t.request('GET', `/api/contacts/${id}`, { token: u.token })).status).toBe(404);
    });

    it("answers 404 for another user's contact on every route", async () => {
      const owner = await newUser();
      const other = await newUser();
      const id = (
        await t.request('POST', '/api/contacts', { token: owner.token, body: { name: 'A', phone: '081222222222' } })
      ).body.data.id;
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
        const res = await t.request(method, `/api/contacts/${id}`, {
          token: other.token,
          body: method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' },
        });
        expect(res.status, method).toBe(404);
      }
      expect((await t.request('GET', `/api/contacts/${id}`, { token: owner.token })).body.data.name).toBe('A');
    });

    it('names every bad field in a 422 and stores nothing', async () => {
      const u = await newUser();
      const res = await t.request('POST', '/api/contacts', {
        token: u.token,
        body: { phone: 'bukan nomor', email: 'x@', is_active: 'perhaps', city: 5 },
      });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors).sort()).toEqual(['city', 'email', 'is_active', 'name', 'phone']);
      expect((await t.request('GET', '/api/contacts', { token: u.token })).body.meta.total).toBe(0);
    });
  });

  describe('GET /api/contacts', () => {
    it('searches name, phone, email and company, filters and sorts, and pages', async () => {
      const u = await newUser();
      const people = [
        {
          name: 'Citra Lestari',
          phone: '081300000001',
          email: 'citra@kopi.id',
          company: 'Kopi Nusantara',
          is_active: true,
        },
        { name: 'Agus', phone: '081300000002', company: 'Teh Manis', is_active: false },
        { name: 'Bayu', phone: '081399999999', email: 'bayu@mail.com', is_active: true },
      ];
      for (const p of people) await t.request('POST', '/api/contacts', { token: u.token, body: p });
      const names = async (query: string) =>
        (await t.request('GET', `/api/contacts?${query}`, { token: u.token })).body.data.map(
          (c: { name: string }) => c.name,
        );
      expect(await names('search=nusantara')).toEqual(['Citra Lestari']);
      expect(await names('search=KOPI')).toEqual(['Citra Lestari']);
      expect(await names('search=ag')).toEqual(['Agus']);
      expect(await names('search=0813-9999')).toEqual(['Bayu']);
      expect(await names('search=mail.com')).toEqual(['Bayu']);
      expect(await names('is_active=false')).toEqual(['Agus']);
      expect(await names('sort=name&order=asc')).toEqual(['Agus', 'Bayu', 'Citra Lestari']);
      const page = await t.request('GET', '/api/contacts?sort=name&order=desc&per_page=2&page=2', { token: u.token });
      expect(page.body.data.map((c: { name: string }) => c.name)).toEqual(['Agus']);
      expect(page.body.meta).toEqual({ page: 2, per_page: 2, total: 3, last_page: 2 });
      expect(
        (await t.request('GET', '/api/contacts?per_page=500&sort=shoe', { token: u.token })).body.errors,
      ).toHaveProperty('per_page');
    });
  });

  describe('statistics and bulk delete', () => {
    it('counts totals, activity, groups and top places', async () => {
      const u = await newUser();
      const ids: string[] = [];
      for (const [i, city] of ['Bandung', 'Bandung', 'Jakarta'].entries()) {
        const res = await t.request('POST', '/api/contacts', {
          token: u.token,
          body: {
            name: `C${i}`,
            phone: `08130000100${i}`,
            city,
            country: 'Indonesia',
            email: i === 0 ? 'a@b.co' : undefined,
            is_active: i !== 2,
          },
        });
        ids.push(res.body.data.id);
      }
      const group = (await t.request('POST', '/api/contact-groups', { token: u.token, body: { name: 'G' } })).body.data
        .id;
      await t.request('POST', `/api/contact-groups/${group}/contacts`, {
        token: u.token,
        body: { contact_ids: [ids[0]] },
      });
      const stats = (await t.request('GET', '/api/contacts/statistics', { token: u.token })).body.data;
      expect(stats).toMatchObject({
        total: 3,
        active: 2,
        inactive: 1,
        with_email: 1,
        in_groups: 1,
        added_this_month: 3,
      });
      expect(stats.by_city).toEqual([
        { city: 'Bandung', count: 2 },
        { city: 'Jakarta', count: 1 },
      ]);
      expect(stats.by_country).toEqual([{ country: 'Indonesia', count: 3 }]);
    });

    it("deletes only the caller's contacts and reports the others", async () => {
      const u = await newUser();
      const other = await newUser();
      const mine = (
        await t.request('POST', '/api/contacts', { token: u.token, body: { name: 'M', phone: '081300002000' } })
      ).body.data.id;
      const theirs = (
        await t.request('POST', '/api/contacts', { token: other.token, body: { name: 'T', phone: '081300002001' } })
      ).body.data.id;
      const res = await t.request('POST', '/api/contacts/bulk-delete', {
        token: u.token,
        body: { ids: [mine, theirs] },
      });
      expect(res.body.data).toEqual({ deleted: 1, not_found: [theirs] });
      expect((await t.request('GET', `/api/contacts/${theirs}`, { token: other.token })).status).toBe(200);
    });
  });

  describe('POST /api/contacts/import', () => {
    it('imports the LibreOffice fixture: 8 imported, row 11 updates row 2, row 9 fails naming phone and email', async () => {
      const u = await newUser();
      const res = await t.request('POST', '/api/contacts/import', {
        token: u.token,
        body: form(await fixture('contacts-libreoffice.xlsx'), 'kontak.xlsx'),
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ imported: 8, updated: 1, skipped: 0, failed: 1 });
      const failed = res.body.data.rows.find((r: { status: string }) => r.status === 'failed');
      expect(failed.row).toBe(9);
      expect(Object.keys(failed.errors).sort()).toEqual(['email', 'phone']);
      expect(res.body.data.rows.find((r: { status: string }) => r.status === 'updated')).toMatchObject({
        row: 11,
        phone: '6281234567890',
      });
      const phones = (
        await t.request('GET', '/api/contacts?per_page=100&sort=phone&order=asc', { token: u.token })
      ).body.data.map((c: { phone: string }) => c.phone);
      expect(phones).toEqual(
        [
          '6281122334455',
          '6281234567890',
          '6281311112222',
          '6281398765432',
          '6282199990000',
          '6285700001111',
          '6285712345678',
          '6581234567',
        ].sort(),
      );
    });

    it('skips the repeated number with skip_duplicates', async () => {
      const u = await newUser();
      const res = await t.request('POST', '/api/contacts/import', {
        token: u.token,
        body: form(await fixture('contacts-libreoffice.xlsx'), 'kontak.xlsx', { skip_duplicates: '1' }),
      });
      expect(res.body.data).toMatchObject({ imported: 8, updated: 0, skipped: 1, failed: 1 });
      const budi = (await t.request('GET', '/api/contacts?search=6281234567890', { token: u.token })).body.data[0];
      expect(budi.name).toBe('Budi Santoso');
    });

    it('imports a semicolon CSV with BOM as a spreadsheet program writes it', async () => {
      const u = await newUser();
      const res = await t.request('POST', '/api/contacts/import', {
        token: u.token,
        body: form(await fixture('contacts-excel-semicolon.csv'), 'kontak.csv'),
      });
      // Four good rows, but Nur's 081234567890 is Budi's 0812-3456-7890: one number, so it updates Budi.
      expect(res.body.data).toMatchObject({ total_rows: 5, imported: 3, updated: 1, failed: 1 });
      expect(res.body.data.rows.find((r: { status: string }) => r.status === 'failed')).toMatchObject({
        row: 5,
        errors: { phone: expect.any(Array), email: expect.any(Array) },
      });
      const names = (await t.request('GET', '/api/contacts?per_page=100', { token: u.token })).body.data.map(
        (c: { name: string }) => c.name,
      );
      expect(names).toContain('Siti; "Ibu" Aminah');
    });

    it('rejects a file that is not a spreadsheet with 422 and stores nothing', async () => {
      const u = await newUser();
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
      const res = await t.request('POST', '/api/contacts/import', { token: u.token, body: form(png, 'photo.xlsx') });
      expect(res.status).toBe(422);
      expect(res.body.errors).toHaveProperty('file');
      expect((await t.request('GET', '/api/contacts', { token: u.token })).body.meta.total).toBe(0);
    });

    it('rejects a sheet without a phone column and a request without a file', async () => {
      const u = await newUser();
      const noPhone = await t.request('POST', '/api/contacts/import', {
        token: u.token,
        body: form(
          await xlsx([
            ['Name', 'City'],
            ['A', 'B'],
          ]),
          'x.xlsx',
        ),
      });
      expect(noPhone.status).toBe(422);
      expect(noPhone.body.errors.file[0]).toMatch(/phone column/);
      const noFile = await t.request('POST', '/api/contacts/import', {
        token: u.token,
        body: { skip_duplicates: true },
      });
      expect(noFile.status).toBe(422);
      expect(noFile.body.errors).toHaveProperty('file');
    });

    it('keeps extra columns as fields templates can use', async () => {
      const u = await newUser();
      await t.request('POST', '/api/contacts/import', {
        token: u.token,
        body: form(
          await xlsx([
            ['Name', 'Phone', 'Produk'],
            ['Ani', '081355550000', 'Kopi Arabika'],
          ]),
          'x.xlsx',
        ),
      });
      const ani = (await t.request('GET', '/api/contacts?search=ani', { token: u.token })).body.data[0];
      expect(ani.extra_fields).toEqual({ Produk: 'Kopi Arabika' });
      const template = await t.request('POST', '/api/templates', {
        token: u.token,
        body: { name: 't', content: 'Hi {name}, {produk} is back' },
      });
      expect(template.status).toBe(201);
    });
  });

  describe('POST /api/contacts/import: sheets as people make them', () => {
    const importFile = async (token: string, file: Buffer | string, filename: string) => {
      const res = await t.request('POST', '/api/contacts/import', { token, body: form(file, filename) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data;
    };
    const contacts = async (token: string) =>
      (await t.request('GET', '/api/contacts?per_page=100&sort=phone&order=asc', { token })).body.data as Array<
        Record<string, unknown>
      >;

    it('answers 200, not 500, for a column headed __proto__, constructor or prototype, in CSV and xlsx, and keeps only the safe extra columns', async () => {
      const rows = [
        ['Nama', 'No HP', '__proto__', 'constructor', 'prototype', 'Produk'],
        ['Ani', '081355550000', 'polluted', 'x', 'y', 'Kopi'],
      ];
      for (const [file, filename] of [
        [rows.map((r) => r.join(',')).join('\r\n'), 'kontak.csv'],
        [await xlsx(rows), 'kontak.xlsx'],
      ] as const) {
        const u = await newUser();
        const report = await importFile(u.token, file, filename);
        expect(report).toMatchObject({ total_rows: 1, imported: 1, updated: 0, skipped: 0, failed: 0, rows: [] });
        const [ani] = await contacts(u.token);
        expect(ani).toMatchObject({ name: 'Ani', phone: '6281355550000' });
        expect(ani.extra_fields).toEqual({ Produk: 'Kopi' });
      }
    });

    it('finds the header on row 4 below a merged title, a note and a blank row: rows 5, 6, 8 imported, row 7 failed', async () => {
      const u = await newUser();
      const report = await importFile(u.token, await fixture('contacts-title-rows.xlsx'), 'kontak.xlsx');
      expect(report).toMatchObject({
        sheet: 'Kontak',
        header_row: 4,
        total_rows: 4,
        imported: 3,
        updated: 0,
        skipped: 0,
        failed: 1,
      });
      expect(report.rows).toEqual([
        {
          row: 7,
          status: 'failed',
          phone: 'bukan nomor',
          reason: expect.any(String),
          errors: { phone: expect.any(Array), email: expect.any(Array) },
        },
      ]);
      expect((await contacts(u.token)).map((c) => c.phone)).toEqual([
        '6281234567890',
        '6281311112222',
        '6285712345678',
      ]);
    });

    it('skips the totals row 7 and the note row 8 below the data, reporting each, while row 4 with a bad phone fails naming phone', async () => {
      const u = await newUser();
      const report = await importFile(u.token, await fixture('contacts-totals-and-notes.xlsx'), 'kontak.xlsx');
      expect(report).toMatchObject({
        sheet: 'Kontak',
        header_row: 1,
        total_rows: 6,
        imported: 3,
        updated: 0,
        skipped: 2,
        failed: 1,
      });
      expect(report.rows).toEqual([
        {
          row: 4,
          status: 'failed',
          phone: '0812-34',
          reason: 'invalid phone',
          errors: { phone: ['is not a valid phone number'] },
        },
        { row: 7, status: 'skipped', phone: null, reason: 'totals row ("Total"), not data' },
        {
          row: 8,
          status: 'skipped',
          phone: null,
          reason: expect.stringMatching(/^note below the data \("Catatan: nomor dikumpulkan/),
        },
      ]);
      const stored = await contacts(u.token);
      expect(stored.map((c) => c.name)).toEqual(['Budi Santoso', 'Siti Aminah', 'Dewi Lestari']);
      expect(stored[0].extra_fields).toEqual({ 'Jumlah Order': '3' });
    });

    it('imports numeric phone cells: a national number whose 0 the sheet dropped, and long numbers whatever their display format', async () => {
      const u = await newUser();
      const report = await importFile(u.token, await fixture('contacts-numeric-phones.xlsx'), 'kontak.xlsx');
      expect(report).toMatchObject({ total_rows: 5, imported: 5, updated: 0, skipped: 0, failed: 0, rows: [] });
      expect(Object.fromEntries((await contacts(u.token)).map((c) => [c.name, c.phone]))).toEqual({
        'Budi Santoso': '6281234567890',
        'Siti Aminah': '6281311112222',
        'Agus Salim': '6285700001111',
        'Dewi Lestari': '6282199990000',
        'Nur Hidayah': '6281398765432',
      });
    });

    it('fails row 3 of a CSV whose phone the spreadsheet rounded to 6.28131E+12, saying so, and imports rows 2 and 4', async () => {
      const u = await newUser();
      const report = await importFile(u.token, await fixture('contacts-numeric-phones.csv'), 'kontak.csv');
      expect(report).toMatchObject({
        sheet: null,
        header_row: 1,
        total_rows: 3,
        imported: 2,
        updated: 0,
        skipped: 0,
        failed: 1,
      });
      expect(report.rows).toEqual([
        {
          row: 3,
          status: 'failed',
          phone: '6.28131E+12',
          reason: 'invalid phone',
          errors: { phone: [expect.stringMatching(/rounded by the spreadsheet to scientific notation/)] },
        },
      ]);
      expect((await contacts(u.token)).map((c) => c.phone)).toEqual(['6281234567890', '6285700001111']);
    });

    it('stores date cells as ISO dates, not serial numbers or JavaScript date strings', async () => {
      const u = await newUser();
      const report = await importFile(u.token, await fixture('contacts-dates.xlsx'), 'kontak.xlsx');
      expect(report).toMatchObject({ total_rows: 2, imported: 2, failed: 0 });
      const [budi, siti] = await contacts(u.token);
      expect(budi).toMatchObject({
        name: 'Budi Santoso',
        notes: '2024-06-01',
        extra_fields: { 'Tanggal Lahir': '1990-05-17', Ditambahkan: '2024-05-01T09:30:00' },
      });
      expect(siti).toMatchObject({
        name: 'Siti Aminah',
        notes: 'pelanggan baru',
        extra_fields: { 'Tanggal Lahir': '1985-12-31', Ditambahkan: '2024-05-02T16:05:00' },
      });
    });

    it('reads a header merged over rows 1-2 (Nama and Kota merged down, Kontak across No HP and Email): rows 3-5 imported', async () => {
      const u = await newUser();
      const report = await importFile(u.token, await fixture('contacts-merged-header.xlsx'), 'kontak.xlsx');
      expect(report).toMatchObject({ sheet: 'Kontak', header_row: 2, total_rows: 3, imported: 3, failed: 0, rows: [] });
      expect((await contacts(u.token)).map((c) => [c.name, c.phone, c.email, c.city])).toEqual([
        ['Budi Santoso', '6281234567890', 'budi@example.co.id', 'Bandung'],
        ['Siti Aminah', '6281311112222', 'siti@example.co.id', 'Jakarta'],
        ['Agus Salim', '6285700001111', null, 'Bogor'],
      ]);
    });

    it('reads the Kontak sheet of a workbook whose first sheet is instructions, and reports the sheet used', async () => {
      const u = await newUser();
      const report = await importFile(u.token, await fixture('contacts-second-sheet.xlsx'), 'kontak.xlsx');
      expect(report).toMatchObject({ sheet: 'Kontak', header_row: 1, total_rows: 2, imported: 2, failed: 0, rows: [] });
      expect((await contacts(u.token)).map((c) => c.name)).toEqual(['Budi Santoso', 'Siti Aminah']);
    });

    it('imports a LibreOffice workbook of several sheets the same 20 times over: its shared strings, stored after the sheets, are never lost', async () => {
      const u = await newUser();
      const file = await fixture('contacts-second-sheet.xlsx');
      expect(await importFile(u.token, file, 'kontak.xlsx')).toMatchObject({
        sheet: 'Kontak',
        total_rows: 2,
        imported: 2,
        updated: 0,
        failed: 0,
      });
      for (let i = 1; i < 20; i++) {
        expect(await importFile(u.token, file, 'kontak.xlsx')).toMatchObject({
          sheet: 'Kontak',
          total_rows: 2,
          imported: 0,
          updated: 2,
          failed: 0,
        });
      }
      expect((await contacts(u.token)).map((c) => c.name)).toEqual(['Budi Santoso', 'Siti Aminah']);
    });

    it('answers 422 naming file, and stores nothing, for a workbook whose list sheet fails its CRC-32 check once its rows are read', async () => {
      const u = await newUser();
      const file = await fixture('contacts-second-sheet.xlsx');
      // The CRC-32 of the Kontak sheet in the central directory (16 bytes into the entry, 46 before its name): found once its rows are read.
      const crc = file.lastIndexOf('xl/worksheets/sheet2.xml') - 46 + 16;
      file.writeUInt32LE((file.readUInt32LE(crc) ^ 1) >>> 0, crc);
      const res = await t.request('POST', '/api/contacts/import', { token: u.token, body: form(file, 'kontak.xlsx') });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual({ file: ['could not be read as an .xlsx spreadsheet'] });
      expect(await contacts(u.token)).toEqual([]);
    });
  });

  describe('export and template', () => {
    it('exports .xlsx that imports back unchanged', async () => {
      const u = await newUser();
      await t.request('POST', '/api/contacts/import', {
        token: u.token,
        body: form(await fixture('contacts-libreoffice.xlsx'), 'kontak.xlsx'),
      });
      const first = await t.request('GET', '/api/contacts', { token: u.token });
      await t.request('PATCH', `/api/contacts/${first.body.data[0].id}`, {
        token: u.token,
        body: { is_active: false, extra_fields: { Produk: 'Teh' } },
      });
      const before = (await t.request('GET', '/api/contacts?per_page=100&sort=phone', { token: u.token })).body.data;

      const exported = await fetch(`${t.url}/api/contacts/export`, { headers: { authorization: `Bearer ${u.token}` } });
      expect(exported.headers.get('content-type')).toContain('spreadsheetml');
      expect(exported.headers.get('content-disposition')).toMatch(
        /attachment; filename="?contacts-\d{4}-\d{2}-\d{2}\.xlsx"?/,
      );
      const file = Buffer.from(await exported.arrayBuffer());

      const fresh = await newUser();
      const imported = await t.request('POST', '/api/contacts/import', {
        token: fresh.token,
        body: form(file, 'export.xlsx'),
      });
      expect(imported.body.data).toMatchObject({ imported: before.length, failed: 0 });
      const after = (await t.request('GET', '/api/contacts?per_page=100&sort=phone', { token: fresh.token })).body.data;
      const strip = (c: Record<string, unknown>) => ({
        ...c,
        id: undefined,
        user_id: undefined,
        created_at: undefined,
        updated_at: undefined,
      });
      expect(after.map(strip)).toEqual(before.map(strip));
    });

    it("exports CSV with the list's filters", async () => {
      const u = await newUser();
      await t.request('POST', '/api/contacts', {
        token: u.token,
        body: { name: 'Kept', phone: '081300003000', city: 'Solo' },
      });
      await t.request('POST', '/api/contacts', {
        token: u.token,
        body: { name: 'Filtered', phone: '081300003001', is_active: false },
      });
      const res = await t.request('GET', '/api/contacts/export?format=csv&is_active=true', { token: u.token });
      expect(res.headers.get('content-type')).toContain('text/csv');
      const lines = (res.body as string)
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines[0]).toMatch(/^Name,Phone,Email/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain('6281300003000');
    });

    it('exports every contact of a list longer than one page: the first page read before the headers, the rest as the file is written', async () => {
      const u = await newUser();
      const rows = Array.from({ length: 1005 }, (_, i) => `Orang ${i},0813${String(40000 + i).padStart(7, '0')}`);
      const imported = await t.request('POST', '/api/contacts/import', {
        token: u.token,
        body: form(`Name,Phone\n${rows.join('\n')}\n`, 'kontak.csv'),
      });
      expect(imported.body.data).toMatchObject({ imported: 1005, failed: 0 });
      const res = await t.request('GET', '/api/contacts/export?format=csv', { token: u.token });
      const phones = (res.body as string)
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n')
        .slice(1)
        .map((line) => line.split(',')[1]);
      expect(new Set(phones)).toEqual(new Set(rows.map((_, i) => `+62813${String(40000 + i).padStart(7, '0')}`)));
    });

    it('prepares no export whose first query the database refuses: the error comes before any header, where the download was cut after them', async () => {
      const u = await newUser();
      await t.request('POST', '/api/contacts', { token: u.token, body: { name: 'Kept', phone: '081300005000' } });
      const actor = { userId: u.id, role: 'user', plan: 'free', planExpiresAt: null } as const;
      // The router refuses a NUL in a URL; called directly, PostgreSQL refuses the search (400) and SQLite's full-text MATCH fails on it.
      const refused = t.server.kirim.contacts.prepareExport(actor, { format: 'csv', search: 'abc\u0000def' });
      await expect(refused).rejects.toMatchObject({ code: database === 'postgres' ? 'bad_request' : 'internal' });
    });

    it('serves the import template with the expected header row', async () => {
      const u = await newUser();
      const res = await fetch(`${t.url}/api/contacts/template`, { headers: { authorization: `Bearer ${u.token}` } });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
      const header = (workbook.worksheets[0].getRow(1).values as unknown[]).slice(1);
      expect(header).toEqual([
        'Name',
        'Phone',
        'Email',
        'Company',
        'Position',
        'Address',
        'City',
        'Country',
        'Notes',
        'Active',
      ]);
    });
  });
});
