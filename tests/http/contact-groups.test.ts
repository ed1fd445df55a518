import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

describe.each(DATABASES)('contact groups over HTTP on %s', (database) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(database);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function userWithContacts() {
    const u = await t.createUser();
    const people = [
      {
        name: 'Ani',
        phone: '081300000001',
        company: 'Kopi Kita',
        city: 'Bandung',
        extra_fields: { Produk: 'Arabika' },
      },
      { name: 'Budi', phone: '081300000002', company: null, city: 'Solo' },
      { name: 'Cici', phone: '081300000003', is_active: false },
    ];
    const ids: string[] = [];
    for (const p of people)
      ids.push((await t.request('POST', '/api/contacts', { token: u.token, body: p })).body.data.id);
    return { ...u, ids };
  }

  it('creates, reads, updates, lists with contacts_count, and deletes a group', async () => {
    const u = await userWithContacts();
    const created = await t.request('POST', '/api/contact-groups', {
      token: u.token,
      body: { name: 'VIP', description: 'Best', color: '#ff9800', is_active: true },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      name: 'VIP',
      description: 'Best',
      color: '#FF9800',
      is_active: true,
      contacts_count: 0,
    });
    const id = created.body.data.id;
    await t.request('POST', `/api/contact-groups/${id}/contacts`, { token: u.token, body: { contact_ids: u.ids } });
    const list = await t.request('GET', '/api/contact-groups', { token: u.token });
    expect(list.body.data).toEqual([expect.objectContaining({ id, contacts_count: 3 })]);
    expect((await t.request('GET', '/api/test-contact-groups', { token: u.token })).body.data).toEqual(list.body.data);
    expect(
      (await t.request('PUT', `/api/contact-groups/${id}`, { token: u.token, body: { name: 'VVIP' } })).body.data,
    ).toMatchObject({ name: 'VVIP', contacts_count: 3 });
    expect(
      (await t.request('PATCH', `/api/contact-groups/${id}`, { token: u.token, body: { is_active: false } })).body.data
        .is_active,
    ).toBe(false);
    expect((await t.request('DELETE', `/api/contact-groups/${id}`, { token: u.token })).status).toBe(200);
    expect((await t.request('GET', `/api/contact-groups/${id}`, { token: u.token })).status).toBe(404);
    expect((await t.request('GET', `/api/contacts/${u.ids[0]}`, { token: u.token })).status).toBe(200);
  });

  it('adds and removes members without doubling', async () => {
    const u = await userWithContacts();
    const id = (await t.request('POST', '/api/contact-groups', { token: u.token, body: { name: 'G' } })).body.data.id;
    expect(
      (
        await t.request('POST', `/api/contact-groups/${id}/contacts`, {
          token: u.token,
          body: { contact_ids: u.ids.slice(0, 2) },
        })
      ).body.data.added,
    ).toBe(2);
    expect(
      (await t.request('POST', `/api/contact-groups/${id}/contacts`, { token: u.token, body: { contact_ids: u.ids } }))
        .body.data,
    ).toMatchObject({ added: 1, group: { contacts_count: 3 } });
    expect(
      (
        await t.request('DELETE', `/api/contact-groups/${id}/contacts`, {
          token: u.token,
          body: { contact_ids: [u.ids[0]] },
        })
      ).body.data,
    ).toMatchObject({ removed: 1, group: { contacts_count: 2 } });
  });

  it("gives the active members' numbers, the members, and personalised previews", async () => {
    const u = await userWithContacts();
    const id = (await t.request('POST', '/api/contact-groups', { token: u.token, body: { name: 'G' } })).body.data.id;
    await t.request('POST', `/api/contact-groups/${id}/contacts`, { token: u.token, body: { contact_ids: u.ids } });
    expect((await t.request('GET', `/api/contact-groups/${id}/phone-numbers`, { token: u.token })).body.data).toEqual([
      '6281300000001',
      '6281300000002',
    ]);
    const members = (await t.request('GET', `/api/contact-groups/${id}/contacts`, { token: u.token })).body.data;
    expect(members.map((c: { name: string }) => c.name)).toEqual(['Ani', 'Budi', 'Cici']);
    const template = '{Hi|Hello} {{name}} from {{company|your shop}}, {Produk}';
    const preview = await t.request('POST', `/api/contact-groups/${id}/personalized-preview`, {
      token: u.token,
      body: { template },
    });
    expect(preview.status).toBe(200);
    const [ani, budi] = preview.body.data;
    expect(ani.message).toMatch(/^(Hi|Hello) Ani from Kopi Kita, Arabika$/);
    expect(budi.message).toMatch(/^(Hi|Hello) Budi from your shop, $/);
    const again = await t.request('POST', `/api/contact-groups/${id}/personalized-preview`, {
      token: u.token,
      body: { template },
    });
    expect(again.body.data.map((p: { message: string }) => p.message)).toEqual(
      preview.body.data.map((p: { message: string }) => p.message),
    );
  });

  it("answers 404 for another user's group, and for adding another user's contact", async () => {
    const owner = await userWithContacts();
    const other = await userWithContacts();
    const id = (await t.request('POST', '/api/contact-groups', { token: owner.token, body: { name: 'Mine' } })).body
      .data.id;
    for (const [method, path] of [
      ['GET', ''],
      ['PUT', ''],
      ['DELETE', ''],
      ['GET', '/contacts'],
      ['GET', '/phone-numbers'],
      ['POST', '/personalized-preview'],
    ]) {
      const res = await t.request(method, `/api/contact-groups/${id}${path}`, {
        token: other.token,
        body: method === 'GET' || method === 'DELETE' ? undefined : { name: 'x', template: 'x' },
      });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const foreign = await t.request('POST', `/api/contact-groups/${id}/contacts`, {
      token: owner.token,
      body: { contact_ids: [owner.ids[0], other.ids[0]] },
    });
    expect(foreign.status).toBe(404);
    expect((await t.request('GET', `/api/contact-groups/${id}`, { token: owner.token })).body.data.contacts_count).toBe(
      0,
    );
    expect((await t.request('GET', '/api/test-contact-groups', { token: other.token })).body.data).toEqual([]);
  });

  it('names every bad field in a 422 and stores nothing', async () => {
    const u = await t.createUser();
    const res = await t.request('POST', '/api/contact-groups', {
      token: u.token,
      body: { name: '', color: 'dtdsufvyvddq', is_active: 'nope' },
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['color', 'is_active', 'name']);
    expect((await t.request('GET', '/api/contact-groups', { token: u.token })).body.meta.total).toBe(0);
  });

  describe('POST /api/contact-groups/{id}/personalized-preview', () => {
    async function groupOfAll() {
      const u = await userWithContacts();
      const id = (await t.request('POST', '/api/contact-groups', { token: u.token, body: { name: 'G' } })).body.data.id;
      await t.request('POST', `/api/contact-groups/${id}/contacts`, { token: u.token, body: { contact_ids: u.ids } });
      return { ...u, id };
    }

    it('previews a saved template given as template_id, its caption for a media template', async () => {
      const u = await groupOfAll();
      const text = (
        await t.request('POST', '/api/templates', {
          token: u.token,
          body: { name: 't', content: 'Halo {name}, {{Produk|-}}' },
        })
      ).body.data.id;
      const media = (
        await t.request('POST', '/api/templates', {
          token: u.token,
          body: {
            name: 'm',
            content: 'x',
            message_type: 'image',
            media_url: 'https://example.com/a.png',
            caption: 'Untuk {name}',
          },
        })
      ).body.data.id;
      const byId = await t.request('POST', `/api/contact-groups/${u.id}/personalized-preview`, {
        token: u.token,
        body: { template_id: text },
      });
      expect(byId.status).toBe(200);
      expect(byId.body.data.map((p: { message: string }) => p.message)).toEqual(['Halo Ani, Arabika', 'Halo Budi, -']);
      const caption = await t.request('POST', `/api/contact-groups/${u.id}/personalized-preview`, {
        token: u.token,
        body: { template_id: media },
      });
      expect(caption.body.data.map((p: { message: string }) => p.message)).toEqual(['Untuk Ani', 'Untuk Budi']);
    });

    it('answers 422 naming template and template_id when both or neither are given', async () => {
      const u = await groupOfAll();
      const id = (await t.request('POST', '/api/templates', { token: u.token, body: { name: 't', content: 'Halo' } }))
        .body.data.id;
      for (const body of [{}, { template: 'Halo', template_id: id }]) {
        const res = await t.request('POST', `/api/contact-groups/${u.id}/personalized-preview`, {
          token: u.token,
          body,
        });
        expect(res.status).toBe(422);
        expect(Object.keys(res.body.errors).sort()).toEqual(['template', 'template_id']);
      }
    });

    it("answers 422 naming template_id for a template that is not the caller's, as a bulk send does", async () => {
      const u = await groupOfAll();
      const other = await t.createUser();
      const foreign = (
        await t.request('POST', '/api/templates', { token: other.token, body: { name: 't', content: 'Halo' } })
      ).body.data.id;
      const session = (
        await t.request('POST', '/api/whatsapp/sessions', { token: u.token, body: { session_name: 'idle' } })
      ).body.data.id;
      const preview = await t.request('POST', `/api/contact-groups/${u.id}/personalized-preview`, {
        token: u.token,
        body: { template_id: foreign },
      });
      const bulk = await t.request('POST', '/api/whatsapp/messages/bulk/text', {
        token: u.token,
        body: { session_id: session, contact_group_id: u.id, template_id: foreign },
      });
      for (const res of [preview, bulk]) {
        expect(res.status).toBe(422);
        expect(res.body.errors).toEqual({ template_id: ['no such template'] });
      }
    });

    it('answers 422 naming template for an unknown placeholder or an unclosed brace, as saving a template does', async () => {
      const u = await groupOfAll();
      const res = await t.request('POST', `/api/contact-groups/${u.id}/personalized-preview`, {
        token: u.token,
        body: { template: 'Halo {nmae} {name' },
      });
      expect(res.status).toBe(422);
      const saved = await t.request('POST', '/api/templates', {
        token: u.token,
        body: { name: 't', content: 'Halo {nmae} {name' },
      });
      expect(res.body.errors.template).toEqual(saved.body.errors.content);
      expect(res.body.errors.template).toEqual([
        'unclosed "{" at position 12',
        expect.stringMatching(/^unknown placeholder \{nmae\}/),
      ]);
    });
  });
});
