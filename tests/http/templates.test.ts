import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

describe.each(DATABASES)('templates over HTTP on %s', (database) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(database);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('round-trips every documented field and lists the placeholders', async () => {
    const u = await t.createUser();
    const body = {
      name: 'Promo',
      content: '{Hi|Hello} {{name|Kak}}, promo di {city}!',
      message_type: 'image',
      media_url: 'https://example.com/promo.jpg',
      caption: 'Untuk {name}',
      is_active: true,
    };
    const created = await t.request('POST', '/api/templates', { token: u.token, body });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ ...body, placeholders: ['name', 'city'] });
    expect((await t.request('GET', `/api/templates/${created.body.data.id}`, { token: u.token })).body.data).toEqual(
      created.body.data,
    );
  });

  it('refuses an unknown placeholder at save time, naming it', async () => {
    const u = await t.createUser();
    const res = await t.request('POST', '/api/templates', {
      token: u.token,
      body: { name: 'x', content: 'Hi {nmae}' },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.content[0]).toContain('{nmae}');
  });

  it('refuses malformed braces and a media template without media_url', async () => {
    const u = await t.createUser();
    const res = await t.request('POST', '/api/templates', {
      token: u.token,
      body: { name: 'x', content: 'Hi {name', message_type: 'video' },
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['content', 'media_url']);
  });

  it('answers 422 naming media_url when a template is saved with a media_url on a private address (create, PUT and PATCH), and stores nothing', async () => {
    const u = await t.createUser();
    for (const media_url of [
      'http://10.1.2.3/promo.png',
      'http://169.254.169.254/latest/meta-data',
      'http://localhost/promo.png',
    ]) {
      const res = await t.request('POST', '/api/templates', {
        token: u.token,
        body: { name: 'Promo', content: 'Halo {name', message_type: 'image', media_url },
      });
      expect(res.status, media_url).toBe(422);
      expect(Object.keys(res.body.errors).sort(), media_url).toEqual(['content', 'media_url']);
      expect(res.body.errors.media_url, media_url).toEqual([expect.stringMatching(/private/)]);
    }
    const id = (
      await t.request('POST', '/api/templates', {
        token: u.token,
        body: { name: 'Promo', content: 'Halo', message_type: 'image', media_url: 'https://example.com/promo.png' },
      })
    ).body.data.id;
    for (const method of ['PUT', 'PATCH'] as const) {
      const res = await t.request(method, `/api/templates/${id}`, {
        token: u.token,
        body: { media_url: 'http://192.168.1.10/promo.png' },
      });
      expect(res.status, method).toBe(422);
      expect(Object.keys(res.body.errors), method).toEqual(['media_url']);
    }
    expect(
      (await t.request('GET', '/api/templates', { token: u.token })).body.data.map(
        (x: { media_url: string }) => x.media_url,
      ),
    ).toEqual(['https://example.com/promo.png']);
  });

  it('updates with PUT and PATCH, re-checking the content, and deletes', async () => {
    const u = await t.createUser();
    const id = (
      await t.request('POST', '/api/templates', { token: u.token, body: { name: 'a', content: 'Hi {name}' } })
    ).body.data.id;
    expect(
      (await t.request('PUT', `/api/templates/${id}`, { token: u.token, body: { content: 'Halo {company}' } })).body
        .data,
    ).toMatchObject({ content: 'Halo {company}', placeholders: ['company'] });
    expect(
      (await t.request('PATCH', `/api/templates/${id}`, { token: u.token, body: { content: 'Halo {unknown_field}' } }))
        .status,
    ).toBe(422);
    expect((await t.request('GET', `/api/templates/${id}`, { token: u.token })).body.data.content).toBe(
      'Halo {company}',
    );
    expect((await t.request('DELETE', `/api/templates/${id}`, { token: u.token })).status).toBe(200);
    expect((await t.request('GET', `/api/templates/${id}`, { token: u.token })).status).toBe(404);
  });

  it('duplicates a template under a new name', async () => {
    const u = await t.createUser();
    const source = (
      await t.request('POST', '/api/templates', { token: u.token, body: { name: 'Welcome', content: 'Hi {name}' } })
    ).body.data;
    const copy = await t.request('POST', `/api/templates/${source.id}/duplicate`, { token: u.token });
    expect(copy.status).toBe(201);
    expect(copy.body.data).toMatchObject({ name: 'Welcome (copy)', content: 'Hi {name}' });
    expect(copy.body.data.id).not.toBe(source.id);
    const list = await t.request('GET', '/api/templates?search=welcome', { token: u.token });
    expect(list.body.meta.total).toBe(2);
  });

  it("answers 404 for another user's template on every route", async () => {
    const owner = await t.createUser();
    const other = await t.createUser();
    const id = (await t.request('POST', '/api/templates', { token: owner.token, body: { name: 'a', content: 'b' } }))
      .body.data.id;
    for (const [method, path] of [
      ['GET', ''],
      ['PUT', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', '/duplicate'],
    ]) {
      expect(
        (
          await t.request(method, `/api/templates/${id}${path}`, {
            token: other.token,
            body: method === 'PUT' || method === 'PATCH' ? { name: 'x' } : undefined,
          })
        ).status,
        method + path,
      ).toBe(404);
    }
  });

  it('names every bad field in a 422 and stores nothing', async () => {
    const u = await t.createUser();
    const res = await t.request('POST', '/api/templates', {
      token: u.token,
      body: { name: '', message_type: 'sticker', media_url: 'ftp://x', is_active: 'x' },
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['content', 'is_active', 'media_url', 'message_type', 'name']);
    expect((await t.request('GET', '/api/templates', { token: u.token })).body.meta.total).toBe(0);
  });
});
