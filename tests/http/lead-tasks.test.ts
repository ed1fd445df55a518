import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KirimEvent } from '@kirim/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import {
  refusedUrl,
  startGooglePlacesStandin,
  startNominatimStandin,
  startOverpassStandin,
  startScraperStandin,
  type OverpassElement,
  type Standin,
} from '../support/lead-source-standins.js';
import { freshPostgresUrl } from '../support/postgres.js';

const BANDUNG = {
  name: 'Bandung',
  osm_type: 'relation' as const,
  osm_id: 13290062,
  boundingbox: [-6.97, -6.84, 107.54, 107.73] as [number, number, number, number],
};
const ELEMENTS: OverpassElement[] = [
  {
    type: 'node',
    id: 101,
    lat: -6.9175,
    lon: 107.6091,
    tags: {
      name: 'Kopi Braga',
      amenity: 'cafe',
      phone: '+62 22 4201234',
      'addr:street': 'Jalan Braga',
      'addr:housenumber': '12',
    },
  },
  {
    type: 'way',
    id: 201,
    center: { lat: -6.8941, lon: 107.6102 },
    tags: { name: 'Warung Kopi Dago', 'contact:phone': '0812-3000-2222', website: 'https://kopidago.example' },
  },
  {
    type: 'node',
    id: 102,
    lat: -6.9,
    lon: 107.6,
    tags: { name: 'Kopi Tanpa Telepon', amenity: 'cafe', phone: 'ask at the counter' },
  },
];

type Task = {
  task_id: string;
  status: string;
  error: string | null;
  progress: { found: number; saved: number; merged: number; skipped: number; results: number; percent: number };
  results: Array<Record<string, any>>;
};

/** Polls the task until `done` holds (or the test times out). */
async function waitForTask(
  t: TestServer,
  token: string,
  taskId: string,
  done: (task: Task) => boolean = (task) => ['completed', 'failed'].includes(task.status),
): Promise<Task> {
  for (;;) {
    const res = await t.request('GET', `/api/leads/scrape/task/${taskId}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (done(res.body.data)) return res.body.data;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function scrape(
  t: TestServer,
  token: string,
  body: Record<string, unknown>,
  path = '/api/leads/scrape',
): Promise<string> {
  const res = await t.request('POST', path, { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.data.task_id;
}

describe.each(DATABASES)('lead scrape tasks over HTTP on %s', (database) => {
  const standins: Standin[] = [];
  const servers: TestServer[] = [];
  const start = async (env: Record<string, string>) => {
    const server = await startTestServer(database, env);
    servers.push(server);
    return server;
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(standins.map((s) => s.close()));
  });

  describe('on OpenStreetMap (the default source)', () => {
    let t: TestServer;
    const events: Array<KirimEvent<'lead_task.completed'>> = [];
    beforeAll(async () => {
      const nominatim = await startNominatimStandin({ places: [BANDUNG] });
      const overpass = await startOverpassStandin({ elements: { [String(3_600_000_000 + BANDUNG.osm_id)]: ELEMENTS } });
      standins.push(nominatim, overpass);
      t = await start({
        KIRIM_NOMINATIM_URL: nominatim.url,
        KIRIM_OVERPASS_URL: overpass.url,
        KIRIM_OSM_CONTACT: 'ops@example.com',
      });
      t.server.kirim.on('lead_task.completed', (event) => void events.push(event));
    });

    it('runs a task in the background: progress, results as leads with the source recorded, and lead_task.completed', async () => {
      const u = await t.createUser();
      const res = await t.request('POST', '/api/leads/scrape', {
        token: u.token,
        body: { query: 'kopi di Bandung', total: 10 },
      });
      expect(res.status).toBe(202);
      expect(res.body.data).toMatchObject({
        task_id: expect.any(String),
        status: 'queued',
        query: 'kopi di Bandung',
        total: 10,
        user_id: u.id,
      });

      const task = await waitForTask(t, u.token, res.body.data.task_id);
      expect(task).toMatchObject({
        status: 'completed',
        error: null,
        source: 'openstreetmap',
        progress: { found: 3, saved: 3, merged: 0, skipped: 0, results: 3, percent: 100 },
      });
      expect(task.results.map((l) => [l.business_name, l.phone, l.source])).toEqual([
        ['Kopi Braga', '62224201234', 'openstreetmap'],
        ['Warung Kopi Dago', '6281230002222', 'openstreetmap'],
        ['Kopi Tanpa Telepon', null, 'openstreetmap'],
      ]);
      expect(task.results[0]).toMatchObject({
        address: 'Jalan Braga 12',
        latitude: -6.9175,
        longitude: 107.6091,
        status: 'pending',
        extra_fields: { osm_id: 101, osm_type: 'node', amenity: 'cafe' },
      });
      expect(task.results[2]!.extra_fields.phone_raw).toBe('ask at the counter');
      const leads = await t.request('GET', '/api/leads?source=openstreetmap', { token: u.token });
      expect(leads.body.meta.total).toBe(3);
      expect(events.find((e) => e.data.task_id === task.task_id)).toMatchObject({
        type: 'lead_task.completed',
        user_id: u.id,
        data: { status: 'completed', results: 3, error: null },
      });
    });

    it("merges a phone found by a second task into the existing lead, listed in both tasks' results", async () => {
      const u = await t.createUser();
      const first = await waitForTask(t, u.token, await scrape(t, u.token, { query: 'kopi di Bandung', total: 2 }));
      expect(first.progress).toMatchObject({ saved: 2, results: 2 });
      const second = await waitForTask(
        t,
        u.token,
        await scrape(t, u.token, { query: 'Kopi di Bandung', total: 5 }, '/api/leads/scrape/async'),
      );
      expect(second.progress).toMatchObject({ found: 3, saved: 1, merged: 2, results: 3 });
      expect(second.results.slice(0, 2).map((l) => l.id)).toEqual(first.results.map((l) => l.id));
      expect((await t.request('GET', '/api/leads', { token: u.token })).body.meta.total).toBe(3);
    });

    it("lists the caller's tasks, newest first and paged; another user's task is 404", async () => {
      const u = await t.createUser();
      const other = await t.createUser();
      const ids = [
        await scrape(t, u.token, { query: 'kopi di Bandung', total: 1 }),
        await scrape(t, u.token, { query: 'kopi di Bandung', total: 1 }),
      ];
      for (const id of ids) await waitForTask(t, u.token, id);
      const list = await t.request('GET', '/api/leads/tasks?per_page=1', { token: u.token });
      expect(list.status).toBe(200);
      expect(list.body.meta).toEqual({ page: 1, per_page: 1, total: 2, last_page: 2 });
      expect(list.body.data[0]).toMatchObject({ status: 'completed', progress: { results: 1 } });
      expect(list.body.data[0].results).toBeUndefined();

      expect((await t.request('GET', `/api/leads/scrape/task/${ids[0]}`, { token: other.token })).status).toBe(404);
      expect((await t.request('GET', '/api/leads/tasks', { token: other.token })).body.meta.total).toBe(0);
      expect((await t.request('GET', '/api/leads/scrape/task/not-a-task', { token: u.token })).body.code).toBe(
        'not_found',
      );
      expect((await t.request('GET', '/api/leads/tasks', { token: null })).body).toEqual({
        message: 'Unauthorized - No Bearer Token',
      });
    });

    it('names every bad field with 422 and queues nothing', async () => {
      const u = await t.createUser();
      const res = await t.request('POST', '/api/leads/scrape', { token: u.token, body: { query: '  ', total: 501 } });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors).sort()).toEqual(['query', 'total']);
      const missing = await t.request('POST', '/api/leads/scrape/async', { token: u.token, body: { total: 'many' } });
      expect(Object.keys(missing.body.errors).sort()).toEqual(['query', 'total']);
      expect(missing.body.errors.query).toEqual(['is required']);
      const forOther = await t.request('POST', '/api/leads/scrape', {
        token: u.token,
        body: { query: 'kopi', total: 1, user_id: (await t.createUser()).id },
      });
      expect(forOther.status).toBe(403);
      expect((await t.request('GET', '/api/leads/tasks', { token: u.token })).body.meta.total).toBe(0);
    });

    it('fails a task whose place is unknown, with the reason', async () => {
      const u = await t.createUser();
      const task = await waitForTask(t, u.token, await scrape(t, u.token, { query: 'kopi di Atlantis', total: 5 }));
      expect(task).toMatchObject({
        status: 'failed',
        error: 'OpenStreetMap knows no place named "Atlantis"',
        results: [],
      });
    });

    it('reports the source reachable on scraper-health', async () => {
      const res = await t.request('GET', '/api/leads/scraper-health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        success: true,
        data: { source: 'openstreetmap', ok: true, checked_at: expect.any(String) },
      });
    });
  });

  it('uses Google Places when a key is configured', async () => {
    const google = await startGooglePlacesStandin({
      apiKey: 'test-key',
      places: [
        {
          place_id: 'ChIJa',
          name: 'Kopi Toko Djawa',
          formatted_address: 'Jl. Braga 81, Bandung',
          lat: -6.917,
          lng: 107.609,
          phone: '+62 22 4200000',
          website: 'https://djawa.example',
        },
      ],
    });
    standins.push(google);
    const t = await start({ GOOGLE_PLACES_API_KEY: 'test-key', KIRIM_GOOGLE_PLACES_URL: google.url });
    const task = await waitForTask(
      t,
      t.adminToken,
      await scrape(t, t.adminToken, { query: 'kopi di Bandung', total: 5 }),
    );
    expect(task).toMatchObject({ status: 'completed', source: 'google_places', progress: { results: 1 } });
    expect(task.results[0]).toMatchObject({
      business_name: 'Kopi Toko Djawa',
      phone: '62224200000',
      website: 'https://djawa.example',
      source: 'google_places',
      extra_fields: { place_id: 'ChIJa' },
    });
  });

  it('fails the task with its reason when the source is down, and scraper-health says so with 503', async () => {
    const t = await start({ KIRIM_LEAD_SCRAPER_URL: await refusedUrl() });
    const task = await waitForTask(
      t,
      t.adminToken,
      await scrape(t, t.adminToken, { query: 'bengkel di Bandung', total: 5 }),
    );
    expect(task.status).toBe('failed');
    expect(task.error).toMatch(/^The lead scraper is unreachable at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/);
    const health = await t.request('GET', '/api/leads/scraper-health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      success: false,
      data: { source: 'scraper', ok: false, detail: expect.stringContaining('ECONNREFUSED') },
    });
  });

  it('resumes a task after a restart mid-task, without repeating or losing a lead', async () => {
    const results = Array.from({ length: 10 }, (_, i) => ({
      business_name: `Bengkel ${i}`,
      phone: `08132000300${i}`,
      address: `Jl. Soekarno Hatta ${i}`,
    }));
    const scraper = await startScraperStandin({ results, pageSize: 2, delayMs: 150 });
    standins.push(scraper);
    const dataDir = await mkdtemp(join(tmpdir(), 'kirim-restart-'));
    const env = {
      KIRIM_LEAD_SCRAPER_URL: scraper.url,
      DATA_DIR: dataDir,
      ...(database === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}),
    };
    try {
      const first = await startTestServer(database, env);
      const u = await first.createUser();
      const taskId = await scrape(first, u.token, { query: 'bengkel di Bandung', total: 10 });
      await waitForTask(first, u.token, taskId, (task) => task.progress.results >= 3);
      await first.close();
      const before = scraper.requests.length;

      const second = await startTestServer(database, env);
      servers.push(second);
      const task = await waitForTask(second, u.token, taskId);
      expect(task).toMatchObject({ status: 'completed', progress: { found: 10, saved: 10, results: 10 } });
      expect(task.results.map((l) => l.business_name)).toEqual(results.map((r) => r.business_name));
      expect((await second.request('GET', '/api/leads', { token: u.token })).body.meta.total).toBe(10);
      // The second server went on from the stored cursor, not from the first page.
      expect(JSON.parse(scraper.requests[before]!.body).cursor).not.toBeNull();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
