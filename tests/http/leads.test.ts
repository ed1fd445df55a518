import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

const fixture = (name: string) => readFile(new URL(`../fixtures/${name}`, import.meta.url));

function form(file: Buffer | string, filename: string): FormData {
  const data = new FormData();
  data.set('file', new Blob([file]), filename);
  return data;
}

describe.each(DATABASES)('leads over HTTP on %s', (database) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(database);
  });
  afterAll(async () => {
    await t?.close();
  });

  const total = async (token: string) => (await t.request('GET', '/api/leads', { token })).body.meta.total as number;
  const create = async (token: string, body: Record<string, unknown>) => {
    const res = await t.request('POST', '/api/leads', { token, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data as { id: string; [field: string]: unknown };
  };

  describe('POST /api/leads and GET /api/leads/{id}', () => {
    it('round-trips every documented field, with the phone normalised', async () => {
      const u = await t.createUser();
      const body = {
        source: 'google_maps',
        business_name: 'Kopi Kenangan Braga',
        address: 'Jl. Braga No. 12, Bandung',
        website: 'https://kopi.example.co.id',
        phone: '+62 812-2000-1111',
        latitude: -6.917512345,
        longitude: 107.609123456,
        status: 'read',
        email: 'Halo@Kopi.example.co.id',
        notes: 'call after 10',
        extra_fields: { rating: 4.6, categories: ['cafe'] },
      };
      const created = await create(u.token, body);
      expect(created).toEqual({
        ...body,
        phone: '6281220001111',
        email: 'halo@kopi.example.co.id',
        id: expect.any(String),
        user_id: u.id,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const fetched = await t.request('GET', `/api/leads/${created.id}`, { token: u.token });
      expect(fetched.status).toBe(200);
      expect(fetched.body.data).toEqual(created);
    });

    it('keeps a lead without a phone, with source manual and status pending by default', async () => {
      const u = await t.createUser();
      const first = await create(u.token, { business_name: 'Toko Roti Enak' });
      const second = await create(u.token, { business_name: 'Warung Tanpa Telepon', phone: '' });
      expect(first).toMatchObject({
        phone: null,
        source: 'manual',
        status: 'pending',
        latitude: null,
        longitude: null,
        website: null,
        extra_fields: {},
      });
      expect(second.phone).toBeNull();
      expect(await total(u.token)).toBe(2);
    });

    it("names every bad field of the document's example body in a 422 and stores nothing", async () => {
      const u = await t.createUser();
      const res = await t.request('POST', '/api/leads', {
        token: u.token,
        body: {
          source: 'vmqeopfuudtdsufvyvddq',
          business_name: 'amniihfqcoynlazghdtqt',
          address: 'consequatur',
          website: 'mqeopfuudtdsufvyvddqa',
          phone: 'mniihfqcoynlazghdtqtq',
          latitude: 11613.31890586,
          longitude: 11613.31890586,
          status: 'read',
        },
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('validation');
      expect(Object.keys(res.body.errors).sort()).toEqual(['latitude', 'longitude', 'phone']);
      expect(res.body.errors.latitude[0]).toMatch(/-90 and 90/);
      expect(await total(u.token)).toBe(0);
    });

    it('names each of several bad fields, never a 500', async () => {
      const u = await t.createUser();
      const res = await t.request('POST', '/api/leads', {
        token: u.token,
        body: {
          business_name: '',
          status: 'party',
          email: 'x@',
          latitude: 'north',
          longitude: -180.5,
          extra_fields: 'not an object',
          source: 7,
        },
      });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors).sort()).toEqual([
        'business_name',
        'email',
        'extra_fields',
        'latitude',
        'longitude',
        'source',
        'status',
      ]);
      expect(await total(u.token)).toBe(0);
    });

    it('merges a lead with a phone the user already has: fills only empty fields, keeps status, stores no second lead', async () => {
      const u = await t.createUser();
      const first = await create(u.token, {
        business_name: 'Kopi Kenangan',
        phone: '0812-2000-1111',
        address: 'Jl. Braga 12',
        status: 'sent',
        extra_fields: { rating: 4 },
      });
      const res = await t.request('POST', '/api/leads', {
        token: u.token,
        body: {
          business_name: 'Kopi Kenangan (dup)',
          phone: '6281220001111',
          address: 'Other street',
          website: 'https://kopi.example',
          latitude: -6.9,
          longitude: 107.6,
          status: 'pending',
          extra_fields: { rating: 5, seats: 20 },
        },
      });
      expect(res.status).toBe(200);
      expect(res.body.message).toMatch(/merged/i);
      expect(res.body.data).toMatchObject({
        id: first.id,
        business_name: 'Kopi Kenangan',
        address: 'Jl. Braga 12',
        website: 'https://kopi.example',
        latitude: -6.9,
        longitude: 107.6,
        status: 'sent',
        extra_fields: { rating: 4, seats: 20 },
      });
      expect(await total(u.token)).toBe(1);
      // Another user's identical number is their own lead.
      const other = await t.createUser();
      await create(other.token, { business_name: 'Kopi Kenangan', phone: '081220001111' });
    });

    it('honours user_id only for admins acting for another user', async () => {
      const u = await t.createUser();
      const other = await t.createUser();
      const forbidden = await t.request('POST', '/api/leads', {
        token: u.token,
        body: { business_name: 'x', user_id: other.id },
      });
      expect(forbidden.status).toBe(403);
      expect(
        (await t.request('POST', '/api/leads', { token: u.token, body: { business_name: 'mine', user_id: u.id } }))
          .status,
      ).toBe(201);
      const byAdmin = await t.request('POST', '/api/leads', {
        body: { business_name: 'for other', user_id: other.id },
      });
      expect(byAdmin.status).toBe(201);
      expect(byAdmin.body.data.user_id).toBe(other.id);
      expect((await t.request('GET', `/api/leads/${byAdmin.body.data.id}`, { token: other.token })).status).toBe(200);
      expect(await total(other.token)).toBe(1);
    });
  });

  describe('PATCH and DELETE /api/leads/{id}', () => {
    it('changes the status and other fields, clears optional ones with null, and deletes', async () => {
      const u = await t.createUser();
      const lead = await create(u.token, {
        business_name: 'Bengkel Jaya',
        phone: '081320002222',
        website: 'https://bengkel.example',
      });
      const patched = await t.request('PATCH', `/api/leads/${lead.id}`, { token: u.token, body: { status: 'sent' } });
      expect(patched.status).toBe(200);
      expect(patched.body.data).toMatchObject({
        status: 'sent',
        business_name: 'Bengkel Jaya',
        phone: '6281320002222',
      });
      const more = await t.request('PATCH', `/api/leads/${lead.id}`, {
        token: u.token,
        body: { notes: 'called', website: null, latitude: '-6,94', phone: '+62 813 2000 3333' },
      });
      expect(more.body.data).toMatchObject({
        status: 'sent',
        notes: 'called',
        website: null,
        latitude: -6.94,
        phone: '6281320003333',
      });
      expect((await t.request('DELETE', `/api/leads/${lead.id}`, { token: u.token })).status).toBe(200);
      expect((await t.request('GET', `/api/leads/${lead.id}`, { token: u.token })).status).toBe(404);
      expect((await t.request('DELETE', `/api/leads/${lead.id}`, { token: u.token })).status).toBe(404);
    });

    it('names bad fields in a 422 and refuses a phone another lead holds with 409, changing nothing', async () => {
      const u = await t.createUser();
      await create(u.token, { business_name: 'A', phone: '081220001111' });
      const b = await create(u.token, { business_name: 'B', phone: '081320002222' });
      const bad = await t.request('PATCH', `/api/leads/${b.id}`, {
        token: u.token,
        body: { status: 'won', latitude: 91.5, business_name: null },
      });
      expect(bad.status).toBe(422);
      expect(Object.keys(bad.body.errors).sort()).toEqual(['business_name', 'latitude', 'status']);
      const taken = await t.request('PATCH', `/api/leads/${b.id}`, {
        token: u.token,
        body: { phone: '+62 812 2000 1111', status: 'sent' },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.code).toBe('conflict');
      expect((await t.request('GET', `/api/leads/${b.id}`, { token: u.token })).body.data).toMatchObject({
        phone: '6281320002222',
        status: 'pending',
      });
    });

    it("answers 404 for another user's lead on GET, PATCH, DELETE and bulk-status, and leaves it untouched", async () => {
      const owner = await t.createUser();
      const stranger = await t.createUser();
      const lead = await create(owner.token, { business_name: 'Private', phone: '081220001111' });
      expect((await t.request('GET', `/api/leads/${lead.id}`, { token: stranger.token })).status).toBe(404);
      expect(
        (await t.request('PATCH', `/api/leads/${lead.id}`, { token: stranger.token, body: { status: 'sent' } })).status,
      ).toBe(404);
      expect((await t.request('DELETE', `/api/leads/${lead.id}`, { token: stranger.token })).status).toBe(404);
      const bulk = await t.request('POST', '/api/leads/bulk-status', {
        token: stranger.token,
        body: { ids: [lead.id], status: 'sent' },
      });
      expect(bulk.status).toBe(404);
      expect(bulk.body.errors).toEqual({ 'ids.0': ['no such lead'] });
      expect((await t.request('GET', '/api/leads', { token: stranger.token })).body.data).toEqual([]);
      expect((await t.request('GET', `/api/leads/${lead.id}`, { token: owner.token })).body.data).toMatchObject({
        status: 'pending',
        business_name: 'Private',
      });
    });
  });

  describe('POST /api/leads/bulk-status', () => {
    it('sets the status of every listed lead', async () => {
      const u = await t.createUser();
      const ids = [
        (await create(u.token, { business_name: 'A' })).id,
        (await create(u.token, { business_name: 'B' })).id,
      ];
      const res = await t.request('POST', '/api/leads/bulk-status', {
        token: u.token,
        body: { ids, status: 'delivered' },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ updated: 2, status: 'delivered' });
      for (const id of ids)
        expect((await t.request('GET', `/api/leads/${id}`, { token: u.token })).body.data.status).toBe('delivered');
    });

    it('changes nothing when any id is unknown (404 naming it) or the status is bad (422)', async () => {
      const u = await t.createUser();
      const id = (await create(u.token, { business_name: 'A' })).id;
      const unknown = await t.request('POST', '/api/leads/bulk-status', {
        token: u.token,
        body: { ids: [id, 'consequatur'], status: 'sent' },
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body.errors).toEqual({ 'ids.1': ['no such lead'] });
      const bad = await t.request('POST', '/api/leads/bulk-status', {
        token: u.token,
        body: { ids: [], status: 'won' },
      });
      expect(bad.status).toBe(422);
      expect(Object.keys(bad.body.errors).sort()).toEqual(['ids', 'status']);
      expect((await t.request('GET', `/api/leads/${id}`, { token: u.token })).body.data.status).toBe('pending');
    });
  });

  describe('GET /api/leads and /api/leads/statistics', () => {
    it('filters by status, source, search, has_phone and has_website, and pages newest first', async () => {
      const u = await t.createUser();
      const cafe = await create(u.token, {
        business_name: 'Kopi Kenangan',
        source: 'google_maps',
        phone: '0812-2000-1111',
        website: 'https://kopi.example',
      });
      const garage = await create(u.token, {
        business_name: 'Bengkel Jaya',
        address: 'Jl. Soekarno-Hatta 45',
        phone: '081320002222',
        status: 'sent',
      });
      const bakery = await create(u.token, {
        business_name: 'Toko Roti',
        source: 'google_maps',
        website: 'http://roti.example',
        status: 'sent',
      });
      const ids = async (query: string) => {
        const res = await t.request('GET', `/api/leads?${query}`, { token: u.token });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return res.body.data.map((l: { id: string }) => l.id).sort();
      };
      expect(await ids('status=sent')).toEqual([garage.id, bakery.id].sort());
      expect(await ids('source=google_maps&status=sent')).toEqual([bakery.id]);
      expect(await ids('search=kopi')).toEqual([cafe.id]);
      expect(await ids('search=SOEKARNO')).toEqual([garage.id]);
      expect(await ids('search=roti.example')).toEqual([bakery.id]);
      expect(await ids('search=0812-2000')).toEqual([cafe.id]);
      expect(await ids('has_phone=true')).toEqual([cafe.id, garage.id].sort());
      expect(await ids('has_phone=0')).toEqual([bakery.id]);
      expect(await ids('has_website=1&has_phone=1')).toEqual([cafe.id]);
      expect(await ids('status=&source=')).toHaveLength(3);

      const page = await t.request('GET', '/api/leads?per_page=2&page=2', { token: u.token });
      expect(page.body.meta).toEqual({ page: 2, per_page: 2, total: 3, last_page: 2 });
      const all = (await t.request('GET', '/api/leads?per_page=100', { token: u.token })).body.data.map(
        (l: { created_at: string }) => l.created_at,
      );
      expect(all).toEqual([...all].sort().reverse());

      const bad = await t.request('GET', '/api/leads?status=won&per_page=101&has_phone=maybe', { token: u.token });
      expect(bad.status).toBe(422);
      expect(Object.keys(bad.body.errors).sort()).toEqual(['has_phone', 'per_page', 'status']);
    });

    it('counts by status and by source, with the total, with_phone and with_website', async () => {
      const u = await t.createUser();
      await create(u.token, {
        business_name: 'A',
        source: 'google_maps',
        phone: '081220001111',
        website: 'https://a.example',
      });
      await create(u.token, { business_name: 'B', source: 'google_maps', phone: '081320002222', status: 'replied' });
      await create(u.token, { business_name: 'C' });
      const res = await t.request('GET', '/api/leads/statistics', { token: u.token });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        total: 3,
        with_phone: 2,
        with_website: 1,
        by_status: { pending: 2, sent: 0, delivered: 0, read: 0, failed: 0, replied: 1 },
        by_source: { google_maps: 2, manual: 1 },
      });
    });
  });

  describe('POST /api/leads/bulk-import', () => {
    it('imports JSON rows: good rows stored, duplicates merged, bad rows reported by row with each bad field named', async () => {
      const u = await t.createUser();
      const existing = await create(u.token, { business_name: 'Kopi Kenangan', phone: '081220001111' });
      const res = await t.request('POST', '/api/leads/bulk-import', {
        token: u.token,
        body: {
          leads: [
            {
              business_name: 'Bengkel Jaya',
              address: 'Jl. Soekarno-Hatta',
              phone: '081320002222',
              latitude: -6.94,
              longitude: 107.63,
              status: 'pending',
              source: 'google_maps',
              user_id: u.id,
            },
            { business_name: 'Salon Cantik', phone: '081320003333', latitude: 91.5, longitude: 107.6 },
            { business_name: 'Kopi (dup of existing)', phone: '+62 812 2000 1111', website: 'https://kopi.example' },
            { business_name: 'Bengkel (dup of row 1)', phone: '6281320002222' },
            { business_name: '', phone: 'bukan nomor', status: 'won' },
            { business_name: 'Toko Roti', phone: '' },
          ],
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toMatchObject({ total_rows: 6, imported: 2, merged: 2, failed: 2 });
      const rows = res.body.data.rows;
      expect(rows.map((r: { row: number; status: string }) => [r.row, r.status])).toEqual([
        [2, 'failed'],
        [3, 'merged'],
        [4, 'merged'],
        [5, 'failed'],
      ]);
      expect(Object.keys(rows[0].errors)).toEqual(['latitude']);
      expect(Object.keys(rows[3].errors).sort()).toEqual(['business_name', 'phone', 'status']);
      expect(rows[1].id).toBe(existing.id);
      expect(await total(u.token)).toBe(3);
      expect((await t.request('GET', `/api/leads/${existing.id}`, { token: u.token })).body.data.website).toBe(
        'https://kopi.example',
      );
    });

    it('never doubles a number under concurrent creates and imports of overlapping phones', async () => {
      const u = await t.createUser();
      const phones = ['081220001111', '081320002222', '081320003333', '085712345678'];
      const rows = phones.map((phone, i) => ({ business_name: `Lead ${i}`, phone }));
      const results = await Promise.all([
        t.request('POST', '/api/leads/bulk-import', { token: u.token, body: { leads: rows } }),
        t.request('POST', '/api/leads/bulk-import', { token: u.token, body: { leads: [...rows].reverse() } }),
        ...phones.map((phone) =>
          t.request('POST', '/api/leads', { token: u.token, body: { business_name: 'Single', phone } }),
        ),
      ]);
      for (const res of results) expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
      const created = results.slice(2).filter((r) => r.status === 201).length;
      const imported = results.slice(0, 2).reduce((n, r) => n + r.body.data.imported, 0);
      expect(created + imported).toBe(phones.length);
      expect(await total(u.token)).toBe(phones.length);
    });

    it('refuses a body without leads[] with a 422 naming leads', async () => {
      const u = await t.createUser();
      for (const body of [{}, { leads: [] }, { leads: 'x' }]) {
        const res = await t.request('POST', '/api/leads/bulk-import', { token: u.token, body });
        expect(res.status).toBe(422);
        expect(Object.keys(res.body.errors)).toEqual(['leads']);
      }
    });

    it('reports a row naming another user as failed for a non-admin, and stores it for that user for an admin', async () => {
      const u = await t.createUser();
      const other = await t.createUser();
      const rows = { leads: [{ business_name: 'A', user_id: other.id }, { business_name: 'B' }] };
      const mine = await t.request('POST', '/api/leads/bulk-import', { token: u.token, body: rows });
      expect(mine.body.data).toMatchObject({
        imported: 1,
        failed: 1,
        rows: [{ row: 1, status: 'failed', errors: { user_id: [expect.any(String)] } }],
      });
      expect(await total(other.token)).toBe(0);
      const admin = await t.request('POST', '/api/leads/bulk-import', { body: rows });
      expect(admin.body.data).toMatchObject({ imported: 2, failed: 0 });
      expect(await total(other.token)).toBe(1);
    });

    it('imports the LibreOffice fixture: rows 2-4 imported, row 5 fails naming latitude, row 6 merged into row 2', async () => {
      const u = await t.createUser();
      const res = await t.request('POST', '/api/leads/bulk-import', {
        token: u.token,
        body: form(await fixture('leads-libreoffice.xlsx'), 'leads.xlsx'),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toMatchObject({ total_rows: 5, imported: 3, merged: 1, failed: 1 });
      expect(res.body.data.rows).toEqual([
        {
          row: 5,
          status: 'failed',
          id: null,
          phone: '0813 2000 3333',
          reason: expect.any(String),
          errors: { latitude: [expect.stringMatching(/-90 and 90/)] },
        },
        { row: 6, status: 'merged', id: expect.any(String), phone: '6281220001111', reason: expect.any(String) },
      ]);
      const list = (await t.request('GET', '/api/leads', { token: u.token })).body.data;
      expect(list).toHaveLength(3);
      const kopi = list.find((l: { phone: string | null }) => l.phone === '6281220001111');
      expect(kopi).toMatchObject({
        id: res.body.data.rows[1].id,
        business_name: 'Kopi Kenangan Braga',
        source: 'google_maps',
        latitude: -6.9175,
        longitude: 107.6091,
        website: 'https://kopi.example.co.id',
      });
      expect(list.find((l: { business_name: string }) => l.business_name === 'Toko Roti Enak')).toMatchObject({
        phone: null,
        website: 'http://rotienak.example.com',
      });
      expect(list.find((l: { business_name: string }) => l.business_name === 'Bengkel Jaya Motor')).toMatchObject({
        phone: '6281320002222',
        website: null,
      });

      // The same file again: every good row is now a merge, nothing doubles.
      const again = await t.request('POST', '/api/leads/bulk-import', {
        token: u.token,
        body: form(await fixture('leads-libreoffice.xlsx'), 'leads.xlsx'),
      });
      expect(again.body.data).toMatchObject({ imported: 1, merged: 3, failed: 1 });
      expect(await total(u.token)).toBe(4); // row 4 has no phone: nothing to merge it by
    });

    it('imports a CSV with loose headers, other columns kept as extra fields', async () => {
      const u = await t.createUser();
      const csv = '\uFEFFNama Usaha;No Telp;Lat;Lng;Rating\r\nWarung Sate;0812 2000 1111;-6,9;107,6;4.5\r\n';
      const res = await t.request('POST', '/api/leads/bulk-import', { token: u.token, body: form(csv, 'leads.csv') });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toMatchObject({ imported: 1, failed: 0 });
      expect((await t.request('GET', '/api/leads', { token: u.token })).body.data[0]).toMatchObject({
        business_name: 'Warung Sate',
        phone: '6281220001111',
        latitude: -6.9,
        longitude: 107.6,
        extra_fields: { Rating: '4.5' },
      });
    });

    it('answers 200, not 500, for a column headed __proto__, constructor or prototype, in CSV and xlsx, and keeps only the safe extra columns', async () => {
      const rows = [
        ['Nama Usaha', 'Telepon', '__proto__', 'constructor', 'prototype', 'Rating'],
        ['Warung Sate', '0812 2000 1111', 'polluted', 'x', 'y', '4.5'],
      ];
      const workbook = new ExcelJS.Workbook();
      workbook.addWorksheet('Leads').addRows(rows);
      const files = [
        [rows.map((r) => r.join(',')).join('\r\n'), 'leads.csv'],
        [Buffer.from(await workbook.xlsx.writeBuffer()), 'leads.xlsx'],
      ] as const;
      for (const [file, filename] of files) {
        const u = await t.createUser();
        const res = await t.request('POST', '/api/leads/bulk-import', { token: u.token, body: form(file, filename) });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.data).toMatchObject({ total_rows: 1, imported: 1, merged: 0, skipped: 0, failed: 0, rows: [] });
        const [lead] = (await t.request('GET', '/api/leads', { token: u.token })).body.data;
        expect(lead).toMatchObject({
          business_name: 'Warung Sate',
          phone: '6281220001111',
          extra_fields: { Rating: '4.5' },
        });
        expect(Object.keys(lead.extra_fields)).toEqual(['Rating']);
      }
    });

    it('reads the Leads sheet after a summary sheet: header on row 3 below a merged title, numeric phones, the totals row 7 skipped', async () => {
      const u = await t.createUser();
      const res = await t.request('POST', '/api/leads/bulk-import', {
        token: u.token,
        body: form(await fixture('leads-people-made.xlsx'), 'leads.xlsx'),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toMatchObject({
        sheet: 'Leads',
        header_row: 3,
        total_rows: 4,
        imported: 3,
        merged: 0,
        skipped: 1,
        failed: 0,
      });
      expect(res.body.data.rows).toEqual([
        { row: 7, status: 'skipped', id: null, phone: null, reason: 'totals row ("Total"), not data' },
      ]);
      const list = (await t.request('GET', '/api/leads', { token: u.token })).body.data as Array<{
        business_name: string;
        phone: string | null;
        extra_fields: Record<string, string>;
      }>;
      expect(Object.fromEntries(list.map((l) => [l.business_name, [l.phone, l.extra_fields.Rating]]))).toEqual({
        'Kopi Kenangan Braga': ['6281220001111', '4.5'],
        'Bengkel Jaya Motor': ['6281320002222', '4.1'],
        'Toko Roti Enak': [null, '4.8'],
      });
    });

    it('imports a LibreOffice workbook of several sheets the same 20 times over: its shared strings, stored after the sheets, are never lost', async () => {
      const u = await t.createUser();
      const file = await fixture('leads-people-made.xlsx');
      const results = [];
      for (let i = 0; i < 20; i++) {
        const res = await t.request('POST', '/api/leads/bulk-import', {
          token: u.token,
          body: form(file, 'leads.xlsx'),
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        results.push(res.body.data);
      }
      expect(results[0]).toMatchObject({
        sheet: 'Leads',
        header_row: 3,
        imported: 3,
        merged: 0,
        skipped: 1,
        failed: 0,
      });
      // Again and again: the two with a phone merge, the one without is a new lead each time.
      for (const again of results.slice(1))
        expect(again).toMatchObject({ sheet: 'Leads', header_row: 3, imported: 1, merged: 2, skipped: 1, failed: 0 });
      expect(await total(u.token)).toBe(22);
    });

    it('fails a CSV row whose phone the spreadsheet rounded to scientific notation, naming phone with why', async () => {
      const u = await t.createUser();
      const res = await t.request('POST', '/api/leads/bulk-import', {
        token: u.token,
        body: form('Nama Usaha,Telepon\r\nWarung Sate,6.28122E+12\r\nToko Roti,81220001111\r\n', 'leads.csv'),
      });
      expect(res.body.data).toMatchObject({ total_rows: 2, imported: 1, skipped: 0, failed: 1 });
      expect(res.body.data.rows).toEqual([
        {
          row: 2,
          status: 'failed',
          id: null,
          phone: '6.28122E+12',
          reason: 'invalid phone',
          errors: { phone: [expect.stringMatching(/rounded by the spreadsheet to scientific notation/)] },
        },
      ]);
    });

    it('refuses a file that is not a spreadsheet with a 422 naming file, storing nothing', async () => {
      const u = await t.createUser();
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
      const res = await t.request('POST', '/api/leads/bulk-import', { token: u.token, body: form(png, 'leads.xlsx') });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors)).toEqual(['file']);
      const noName = await t.request('POST', '/api/leads/bulk-import', {
        token: u.token,
        body: form('Telepon,Alamat\r\n0812 2000 1111,Jl. A\r\n', 'leads.csv'),
      });
      expect(noName.status).toBe(422);
      expect(Object.keys(noName.body.errors)).toEqual(['file']);
      expect(await total(u.token)).toBe(0);
    });
  });
});
