import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

const DAY = 86_400_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

describe.each(DATABASES)('announcements over HTTP on %s', (database) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(database);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('round-trips every field through the admin routes', async () => {
    const body = {
      title: 'Maintenance',
      message: 'Down 22:00-23:00',
      type: 'maintenance',
      is_active: true,
      starts_at: at(-DAY),
      expires_at: at(DAY),
    };
    const created = await t.request('POST', '/api/announcements/admin', { body });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ ...body, id: expect.any(String), created_at: expect.any(String) });
    const fetched = await t.request('GET', `/api/announcements/admin/${created.body.data.id}`);
    expect(fetched.body.data).toEqual(created.body.data);
  });

  it('shows the public only active announcements whose window holds now, without a token', async () => {
    const make = async (fields: Record<string, unknown>) =>
      (await t.request('POST', '/api/announcements/admin', { body: { title: 't', message: 'm', ...fields } })).body.data
        .id as string;
    const visible = await make({ starts_at: at(-DAY), expires_at: at(DAY) });
    const future = await make({ starts_at: at(DAY) });
    const expired = await make({ starts_at: at(-2 * DAY), expires_at: at(-DAY) });
    const inactive = await make({ is_active: false });

    const list = await t.request('GET', '/api/announcements', { token: null });
    expect(list.status).toBe(200);
    const ids = list.body.data.map((a: { id: string }) => a.id);
    expect(ids).toContain(visible);
    for (const hidden of [future, expired, inactive]) expect(ids).not.toContain(hidden);
    expect((await t.request('GET', `/api/announcements/${visible}`, { token: null })).status).toBe(200);
    expect((await t.request('GET', `/api/announcements/${future}`, { token: null })).status).toBe(404);
  });

  it('toggles, updates with PUT and PATCH, and deletes', async () => {
    const id = (await t.request('POST', '/api/announcements/admin', { body: { title: 'a', message: 'b' } })).body.data
      .id;
    expect((await t.request('POST', `/api/announcements/admin/${id}/toggle`)).body.data.is_active).toBe(false);
    expect((await t.request('POST', `/api/announcements/admin/${id}/toggle`)).body.data.is_active).toBe(true);
    expect(
      (await t.request('PUT', `/api/announcements/admin/${id}`, { body: { title: 'new', type: 'promo' } })).body.data,
    ).toMatchObject({ title: 'new', type: 'promo' });
    expect(
      (await t.request('PATCH', `/api/announcements/admin/${id}`, { body: { message: 'changed' } })).body.data.message,
    ).toBe('changed');
    expect((await t.request('DELETE', `/api/announcements/admin/${id}`)).status).toBe(200);
    expect((await t.request('GET', `/api/announcements/admin/${id}`)).status).toBe(404);
  });

  it('answers 403 to a non-admin on every admin route', async () => {
    const user = await t.createUser();
    const id = (await t.request('POST', '/api/announcements/admin', { body: { title: 'a', message: 'b' } })).body.data
      .id;
    const calls: Array<[string, string]> = [
      ['GET', '/api/announcements/admin'],
      ['POST', '/api/announcements/admin'],
      ['GET', `/api/announcements/admin/${id}`],
      ['PUT', `/api/announcements/admin/${id}`],
      ['PATCH', `/api/announcements/admin/${id}`],
      ['DELETE', `/api/announcements/admin/${id}`],
      ['POST', `/api/announcements/admin/${id}/toggle`],
    ];
    for (const [method, path] of calls) {
      const res = await t.request(method, path, {
        token: user.token,
        body: method === 'GET' ? undefined : { title: 'x', message: 'y' },
      });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
  });

  it('names every bad field in a 422 and stores nothing', async () => {
    const before = (await t.request('GET', '/api/announcements/admin')).body.meta.total;
    const res = await t.request('POST', '/api/announcements/admin', {
      body: { title: '', type: 'party', starts_at: 'soon', is_active: 'maybe' },
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['is_active', 'message', 'starts_at', 'title', 'type']);
    const window = await t.request('POST', '/api/announcements/admin', {
      body: { title: 'a', message: 'b', starts_at: at(DAY), expires_at: at(-DAY) },
    });
    expect(window.status).toBe(422);
    expect(window.body.errors).toHaveProperty('expires_at');
    expect((await t.request('GET', '/api/announcements/admin')).body.meta.total).toBe(before);
  });
});
