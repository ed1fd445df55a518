import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

// Every unique rule a caller can reach through the API, each answered with the field it protects.
describe.each(DATABASES)('409 conflicts name the colliding field on %s', (database) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(database);
  });
  afterAll(async () => {
    await t?.close();
  });

  const taken = (field: string) => ({ success: false, code: 'conflict', errors: { [field]: ['already exists'] } });

  it('answers 409 naming phone for a contact whose number another contact holds, on create, PUT and PATCH, changing nothing', async () => {
    const u = await t.createUser();
    await t.request('POST', '/api/contacts', { token: u.token, body: { name: 'A', phone: '081234560001' } });
    const created = await t.request('POST', '/api/contacts', {
      token: u.token,
      body: { name: 'B', phone: '+62 812-3456-0001' },
    });
    expect(created.status).toBe(409);
    expect(created.body).toMatchObject(taken('phone'));
    const other = (
      await t.request('POST', '/api/contacts', { token: u.token, body: { name: 'C', phone: '081234560002' } })
    ).body.data;
    for (const method of ['PUT', 'PATCH']) {
      const res = await t.request(method, `/api/contacts/${other.id}`, {
        token: u.token,
        body: { name: 'Changed', phone: '6281234560001' },
      });
      expect(res.status, method).toBe(409);
      expect(res.body, method).toMatchObject(taken('phone'));
    }
    expect((await t.request('GET', `/api/contacts/${other.id}`, { token: u.token })).body.data).toMatchObject({
      name: 'C',
      phone: '6281234560002',
    });
  });

  it('answers 409 naming email for a user whose email another user holds, on create and PATCH', async () => {
    const first = await t.createUser();
    const created = await t.request('POST', '/api/admin/users', {
      body: { name: 'Again', email: first.email.toUpperCase() },
    });
    expect(created.status).toBe(409);
    expect(created.body).toMatchObject(taken('email'));
    const second = await t.createUser();
    const changed = await t.request('PATCH', `/api/admin/users/${second.id}`, { body: { email: first.email } });
    expect(changed.status).toBe(409);
    expect(changed.body).toMatchObject(taken('email'));
    expect((await t.request('GET', `/api/admin/users/${second.id}`)).body.data.email).toBe(second.email);
  });

  it('answers 409 naming phone for a lead whose number another lead holds, on PATCH', async () => {
    const u = await t.createUser();
    await t.request('POST', '/api/leads', { token: u.token, body: { business_name: 'A', phone: '081220003333' } });
    const b = (
      await t.request('POST', '/api/leads', { token: u.token, body: { business_name: 'B', phone: '081220004444' } })
    ).body.data;
    const res = await t.request('PATCH', `/api/leads/${b.id}`, {
      token: u.token,
      body: { phone: '+62 812 2000 3333' },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject(taken('phone'));
  });
});
