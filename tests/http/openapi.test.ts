import { createSimulatedNetwork, type Kirim, type SimulatedNetwork } from '@kirim/core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DATABASES, startTestServer, type TestResponse, type TestServer } from '../support/harness.js';
import { mountedRoutes } from '../support/mounted-routes.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { eventually } from '../support/eventually.js';
import { linkSession, phoneSequence } from '../support/linking.js';

type Json = Record<string, any>;

/** Method and path (`/contacts/{id}`, as OpenAPI writes it) of every route the router mounts. */
const documentedForm = (kirim: Kirim): string[] =>
  mountedRoutes(kirim).map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`);

const documentedRoutes = (doc: Json): string[] =>
  Object.entries(doc.paths as Json).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));

/** `schema` with every `$ref` into the document replaced by what it points at (the document has no cycles). */
function inlined(doc: Json, schema: unknown): any {
  if (Array.isArray(schema)) return schema.map((item) => inlined(doc, item));
  if (!schema || typeof schema !== 'object') return schema;
  const { $ref, ...rest } = schema as Json;
  const target =
    typeof $ref === 'string'
      ? inlined(
          doc,
          $ref
            .slice(2)
            .split('/')
            .reduce((node: Json, key) => node[key], doc),
        )
      : {};
  return { ...target, ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, inlined(doc, v)])) };
}

/**
 * Asserts that `res` is an answer `METHOD path` documents: its status is listed, and its JSON body matches the
 * schema documented for that status (checked by zod, from the document's JSON Schema).
 */
function expectDocumented(doc: Json, route: string, res: TestResponse): void {
  const [method, path] = route.split(' ');
  const operation = doc.paths[path!]?.[method!.toLowerCase()];
  expect(operation, `${route} is documented`).toBeDefined();
  const response = inlined(doc, operation.responses[res.status]);
  expect(response, `${route} documents status ${res.status} (${JSON.stringify(res.body)})`).toBeDefined();
  const schema = response.content['application/json'].schema;
  const result = z.fromJSONSchema(schema).safeParse(res.body);
  expect(result.error?.issues ?? [], `${route} ${res.status} answers as documented`).toEqual([]);
}

describe('GET /api/openapi.json', () => {
  let t: TestServer;
  let doc: Json;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    const res = await t.request('GET', '/api/openapi.json', { token: null });
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => t?.close());

  it('documents every route the router mounts, and no route it does not mount', () => {
    const mounted = documentedForm(t.server.kirim);
    const documented = documentedRoutes(doc);
    expect(
      mounted.filter((route) => !documented.includes(route)),
      'mounted but not documented',
    ).toEqual([]);
    expect(
      documented.filter((route) => !mounted.includes(route)),
      'documented but not mounted',
    ).toEqual([]);
    expect(mounted.length).toBeGreaterThan(100);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('asks for the bearer token on every route but the public ones', () => {
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const open = Object.entries(doc.paths as Json).flatMap(([path, ops]) =>
      Object.entries(ops as Json)
        .filter(([, op]) => Array.isArray(op.security) && op.security.length === 0)
        .map(([m]) => `${m.toUpperCase()} ${path}`),
    );
    expect(open.sort()).toEqual(
      ['GET /announcements', 'GET /announcements/{id}', 'GET /health', 'GET /openapi.json'].sort(),
    );
    for (const [path, ops] of Object.entries(doc.paths as Json))
      for (const [m, op] of Object.entries(ops as Json))
        if (!open.includes(`${m.toUpperCase()} ${path}`)) expect(op.responses[401], `${m} ${path}`).toBeDefined();
  });

  it('documents uploads as multipart/form-data and the event stream as text/event-stream', () => {
    expect(doc.paths['/contacts/import'].post.requestBody.content['multipart/form-data'].schema.required).toEqual([
      'file',
    ]);
    expect(doc.paths['/leads/bulk-import'].post.requestBody.content).toHaveProperty('multipart/form-data');
    expect(doc.paths['/events'].get.responses[200].content).toHaveProperty('text/event-stream');
  });

  it('names the error codes each error status stands for, from the one status table', () => {
    const codesOf = (status: number) => doc.components.responses[`Error${status}`].content['application/json'].schema;
    expect(codesOf(503).properties.code.enum.sort()).toEqual(['no_device', 'unavailable']);
    expect(codesOf(422).properties.code.enum.sort()).toEqual(['edit_window_closed', 'validation']);
    expect(codesOf(402).properties.code.enum).toEqual(['plan_required']);
    expect(doc.paths['/whatsapp/messages/text'].post.responses).toEqual(
      expect.objectContaining({ 200: expect.anything(), 202: expect.anything(), 402: expect.anything() }),
    );
  });

  it('answers without a token', async () => {
    const res = await t.request('GET', '/api/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });
});

describe.each(DATABASES)('real answers match the OpenAPI document on %s', (database) => {
  let t: TestServer;
  let doc: Json;
  let network: SimulatedNetwork;
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    t = await startTestServer(database, QUICK_SENDS, { transport: network.transport });
    doc = (await t.request('GET', '/api/openapi.json', { token: null })).body;
  });
  afterAll(() => t?.close());
  const nextPhone = phoneSequence('62813', database);

  /** Sends the request and asserts the answer is documented (and has `status`, when given); returns it. */
  async function call(
    route: string,
    path: string,
    options: Parameters<TestServer['request']>[2] = {},
    status?: number,
  ) {
    const res = await t.request(route.split(' ')[0]!, `/api${path}`, options);
    if (status) expect(res.status, `${route}: ${JSON.stringify(res.body)}`).toBe(status);
    expectDocumented(doc, route, res);
    return res;
  }

  it('system, accounts and announcements', async () => {
    await call('GET /health', '/health', { token: null });
    await call('GET /me', '/me');
    await call('GET /test-node-connection', '/test-node-connection');
    await call('GET /me', '/me', { token: 'kirim_not-a-token' }, 401);
    await call('GET /api-tokens', '/api-tokens');
    const token = await call('POST /api-tokens/generate', '/api-tokens/generate', { body: { name: 'docs' } });
    await call('POST /api-tokens/generate', '/api-tokens/generate', { body: { name: '' } }, 422);
    await call('DELETE /api-tokens', '/api-tokens', { body: { id: token.body.data.id } });
    const user = await call('POST /admin/users', '/admin/users', {
      body: { name: 'Docs', email: `docs-${database}@example.com` },
    });
    await call('POST /admin/users', '/admin/users', { body: { email: 'not an email' } }, 422);
    await call('GET /admin/users', '/admin/users');
    await call('GET /admin/users/{id}', `/admin/users/${user.body.data.id}`);
    await call('PATCH /admin/users/{id}', `/admin/users/${user.body.data.id}`, { body: { plan: 'supporter' } });
    const a = await call('POST /announcements/admin', '/announcements/admin', {
      body: { title: 'Hello', message: 'World', type: 'info' },
    });
    await call('POST /announcements/admin', '/announcements/admin', { body: { type: 'nope' } }, 422);
    await call('GET /announcements/admin', '/announcements/admin');
    await call('POST /announcements/admin/{id}/toggle', `/announcements/admin/${a.body.data.id}/toggle`);
    await call('GET /announcements', '/announcements', { token: null });
    await call('GET /announcements/{id}', '/announcements/00000000-0000-4000-8000-000000000000', { token: null }, 404);
    await call('DELETE /admin/users/{id}', `/admin/users/${user.body.data.id}`);
  });

  it('contacts, contact groups and templates', async () => {
    const contact = await call('POST /contacts', '/contacts', {
      body: { name: 'Budi', phone: '+62 812-3456-7890', email: 'budi@example.com', extra_fields: { tier: 'gold' } },
    });
    await call('POST /contacts', '/contacts', { body: { name: 'Budi', phone: '+62 812-3456-7890' } }, 409);
    await call('POST /contacts', '/contacts', { body: { phone: 'abc' } }, 422);
    await call('GET /contacts', '/contacts?search=budi');
    await call('GET /contacts/{id}', `/contacts/${contact.body.data.id}`);
    await call('PATCH /contacts/{id}', `/contacts/${contact.body.data.id}`, { body: { city: 'Bandung' } });
    await call('GET /contacts/statistics', '/contacts/statistics');
    const form = new FormData();
    form.set('file', new Blob(['name,phone\nSiti,081234567891\nBad,xyz\n'], { type: 'text/csv' }), 'c.csv');
    await call('POST /contacts/import', '/contacts/import', { body: form });
    const group = await call('POST /contact-groups', '/contact-groups', { body: { name: 'VIP' } });
    await call('POST /contact-groups', '/contact-groups', { body: { color: 'red' } }, 422);
    const groupPath = `/contact-groups/${group.body.data.id}`;
    await call('POST /contact-groups/{id}/contacts', `${groupPath}/contacts`, {
      body: { contact_ids: [contact.body.data.id] },
    });
    await call('GET /contact-groups', '/contact-groups');
    await call('GET /test-contact-groups', '/test-contact-groups');
    await call('GET /contact-groups/{id}/phone-numbers', `${groupPath}/phone-numbers`);
    await call('GET /contact-groups/{id}/contacts', `${groupPath}/contacts`);
    await call('POST /contact-groups/{id}/personalized-preview', `${groupPath}/personalized-preview`, {
      body: { template: 'Hi {name}' },
    });
    await call('DELETE /contact-groups/{id}/contacts', `${groupPath}/contacts`, {
      body: { contact_ids: [contact.body.data.id] },
    });
    const template = await call('POST /templates', '/templates', { body: { name: 'Promo', content: 'Hi {name}' } });
    await call('POST /templates', '/templates', { body: { name: 'x', content: 'x', message_type: 'fax' } }, 422);
    await call('GET /templates', '/templates');
    await call('POST /templates/{id}/duplicate', `/templates/${template.body.data.id}/duplicate`, { body: {} });
    await call('GET /contacts/{id}', '/contacts/00000000-0000-4000-8000-000000000000', {}, 404);
    await call('POST /contacts/bulk-delete', '/contacts/bulk-delete', { body: { ids: [contact.body.data.id] } });
  });

  it('sessions, sends, scheduled messages, bulk jobs and pools', async () => {
    const u = await t.createUser({ plan: 'supporter' });
    const token = u.token;
    const id = await linkSession(t, network, token, nextPhone());
    const customer = network.phone(nextPhone());
    await call('GET /whatsapp/sessions', '/whatsapp/sessions', { token });
    await call('GET /whatsapp/sessions/{id}', `/whatsapp/sessions/${id}`, { token });
    await call('GET /whatsapp/sessions/{id}/status', `/whatsapp/sessions/${id}/status`, { token });
    await call('POST /whatsapp/sessions', '/whatsapp/sessions', { token, body: { session_name: '' } }, 422);
    const linking = await call(
      'POST /whatsapp/sessions',
      '/whatsapp/sessions',
      { token, body: { session_name: 'b' } },
      201,
    );
    const linkingPath = `/whatsapp/sessions/${linking.body.data.id}`;
    await eventually(async () => (await t.request('GET', `/api${linkingPath}/status`, { token })).body.data.qr);
    await call('POST /whatsapp/sessions/{id}/pairing-code', `${linkingPath}/pairing-code`, {
      token,
      body: { phone: nextPhone() },
    });
    await call('DELETE /whatsapp/sessions/{id}', linkingPath, { token });
    await call('GET /whatsapp/sessions/{id}/settings', `/whatsapp/sessions/${id}/settings`, { token });
    await call('PATCH /whatsapp/sessions/{id}/settings', `/whatsapp/sessions/${id}/settings`, {
      token,
      body: { min_gap_ms: 0 },
    });
    await call('POST /whatsapp/messages/text', '/whatsapp/messages/text', {
      token,
      body: { session_id: id, to: customer.number, message: 'Halo' },
    });
    await call('POST /whatsapp/messages/text', '/whatsapp/messages/text', { token, body: { to: 'x' } }, 422);
    await call('GET /whatsapp/sessions/{id}/messages', `/whatsapp/sessions/${id}/messages`, { token });
    await call('GET /whatsapp/sessions/{id}/messages', `/whatsapp/sessions/${id}/messages?colour=red`, { token }, 422);
    await call('GET /whatsapp/sessions/{id}/contacts', `/whatsapp/sessions/${id}/contacts`, { token });
    await call('GET /whatsapp/sessions/{id}/groups', `/whatsapp/sessions/${id}/groups`, { token });
    await call('POST /whatsapp/groups/sync', '/whatsapp/groups/sync', { token, body: { session_id: id } });
    await call('GET /whatsapp/groups/device', `/whatsapp/groups/device?session_id=${id}`, { token });
    const scheduled = await call('POST /whatsapp/messages/schedule/text', '/whatsapp/messages/schedule/text', {
      token,
      body: { session_id: id, to: customer.number, message: 'Later', scheduled_at: '2099-01-01T00:00:00Z' },
    });
    await call('GET /whatsapp/messages/schedule', '/whatsapp/messages/schedule', { token });
    const scheduledPath = `/whatsapp/messages/schedule/${scheduled.body.data.id}`;
    await call('GET /whatsapp/messages/schedule/{id}/status', `${scheduledPath}/status`, { token });
    await call('DELETE /whatsapp/messages/schedule/{id}', scheduledPath, { token });
    const job = await call('POST /whatsapp/messages/bulk/text', '/whatsapp/messages/bulk/text', {
      token,
      body: { session_id: id, contacts: [customer.number, 'not-a-number'], message: 'Hi', delay: 60_000 },
    });
    await call('GET /whatsapp/messages/bulk', '/whatsapp/messages/bulk', { token });
    await call('GET /whatsapp/messages/bulk/{jobId}/status', `/whatsapp/messages/bulk/${job.body.data.job_id}/status`, {
      token,
    });
    await call('DELETE /whatsapp/messages/bulk/{jobId}', `/whatsapp/messages/bulk/${job.body.data.job_id}`, { token });
    const pool = await call('POST /whatsapp/pools', '/whatsapp/pools', {
      token,
      body: { name: 'Sales', session_ids: [id] },
    });
    await call('GET /whatsapp/pools', '/whatsapp/pools', { token });
    await call('POST /whatsapp/messages/text', '/whatsapp/messages/text', {
      token,
      body: { pool_id: pool.body.data.id, to: customer.number, message: 'Via the pool' },
    });
    await t.request('PATCH', `/api/admin/users/${u.id}`, { body: { plan: 'free' } });
    await call(
      'POST /whatsapp/messages/text',
      '/whatsapp/messages/text',
      { token, body: { pool_id: pool.body.data.id, to: customer.number, message: 'No plan' } },
      402,
    );
    await call('DELETE /whatsapp/sessions/{id}/disconnect', `/whatsapp/sessions/${id}/disconnect`, { token });
    await call(
      'POST /whatsapp/messages/text',
      '/whatsapp/messages/text',
      {
        token,
        body: { session_id: id, to: customer.number, message: 'Nobody home' },
      },
      503,
    );
  });

  it('leads and webhooks', async () => {
    const lead = await call('POST /leads', '/leads', {
      body: { business_name: 'Kopi', phone: '0812-2000-3000', latitude: -6.9, longitude: 107.6 },
    });
    await call('POST /leads', '/leads', { body: { business_name: 'Kopi', latitude: 200 } }, 422);
    await call('GET /leads', '/leads?has_phone=true');
    await call('GET /leads/statistics', '/leads/statistics');
    await call('POST /leads/bulk-import', '/leads/bulk-import', {
      body: { leads: [{ business_name: 'Bakso' }, { business_name: '' }] },
    });
    await call('POST /leads/bulk-status', '/leads/bulk-status', { body: { ids: [lead.body.data.id], status: 'sent' } });
    await call('POST /leads/sync-status', '/leads/sync-status', { body: { ids: [lead.body.data.id] } });
    const task = await call(
      'POST /leads/scrape',
      '/leads/scrape',
      { body: { query: 'kopi di Bandung', total: 5 } },
      202,
    );
    await call('GET /leads/scrape/task/{taskId}', `/leads/scrape/task/${task.body.data.task_id}`);
    await call('GET /leads/tasks', '/leads/tasks');
    const hook = await call('POST /webhooks', '/webhooks', {
      body: { url: 'https://hooks.example.com/kirim', events: ['message.status'] },
    });
    await call(
      'POST /webhooks',
      '/webhooks',
      { body: { url: 'https://hooks.example.com/kirim', events: ['nope'] } },
      422,
    );
    await call('GET /webhooks', '/webhooks');
    await call('GET /webhooks/{id}/deliveries', `/webhooks/${hook.body.data.id}/deliveries`);
  });
});
