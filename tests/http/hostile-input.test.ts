import { createSimulatedNetwork, type Logger, type Transport } from '@kirim/core';
import { loadConfig } from '@kirim/server';
import { errors as undiciErrors } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

// Each test here is named after a fault found by fuzzing every route (issue 12); tests/http/fuzz.test.ts
// sends every class of input to every route, these pin each fault down on the routes it was seen on.
describe.each(DATABASES)('hostile input over HTTP on %s', (database) => {
  let t: TestServer;
  let user: { id: string; token: string };
  beforeAll(async () => {
    t = await startTestServer(database);
    user = await t.createUser({ plan: 'supporter' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 400 bad_request, not 500, for malformed percent-encoding in a path parameter, on every kind of route', async () => {
    for (const [method, path, token] of [
      ['GET', '/api/contacts/%E0%A4%A', user.token],
      ['PATCH', '/api/leads/%', user.token],
      ['DELETE', '/api/webhooks/%ZZ', user.token],
      ['GET', '/api/whatsapp/sessions/%C0/status', user.token],
      ['GET', '/api/whatsapp/messages/bulk/%E0/status', user.token],
      ['POST', '/api/contact-groups/%E0%80/contacts', user.token],
      ['GET', '/api/admin/users/%FF', t.adminToken],
      ['GET', '/api/announcements/%E0', null],
    ] as const) {
      const res = await t.request(method, path, { token, body: method === 'GET' ? undefined : {} });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body, `${method} ${path}`).toMatchObject({
        success: false,
        code: 'bad_request',
        message: expect.stringContaining('percent-encoding'),
      });
    }
  });

  it('answers 422 naming file, not 500, for a multipart upload without a boundary, on contact and lead imports', async () => {
    for (const path of ['/api/contacts/import', '/api/leads/bulk-import']) {
      const res = await t.request('POST', path, {
        token: user.token,
        body: 'name,phone\nA,6281234567890\n',
        headers: { 'content-type': 'multipart/form-data' },
      });
      expect(res.status, path).toBe(422);
      expect(res.body.errors, path).toEqual({ file: [expect.stringContaining('boundary')] });
    }
    expect((await t.request('GET', '/api/contacts', { token: user.token })).body.meta.total).toBe(0);
    expect((await t.request('GET', '/api/leads', { token: user.token })).body.meta.total).toBe(0);
  });

  it('answers 422 naming body, not _, for a JSON array body, on every kind of create and update', async () => {
    const group = (
      await t.request('POST', '/api/contact-groups', { token: user.token, body: { name: 'Array target' } })
    ).body.data;
    for (const [method, path, token] of [
      ['POST', '/api/contacts', user.token],
      ['POST', '/api/contact-groups', user.token],
      ['PATCH', `/api/contact-groups/${group.id}`, user.token],
      ['POST', '/api/templates', user.token],
      ['POST', '/api/webhooks', user.token],
      ['POST', '/api/whatsapp/messages/text', user.token],
      ['POST', '/api/whatsapp/messages/schedule/text', user.token],
      ['POST', '/api/leads', user.token],
      ['POST', '/api/api-tokens/generate', user.token],
      ['POST', '/api/admin/users', t.adminToken],
      ['POST', '/api/announcements/admin', t.adminToken],
    ] as const) {
      const res = await t.request(method, path, { token, body: [{ name: 'x' }] });
      expect(res.status, `${method} ${path}`).toBe(422);
      expect(res.body.errors, `${method} ${path}`).toEqual({ body: ['must be a JSON object'] });
    }
    expect((await t.request('GET', `/api/contact-groups/${group.id}`, { token: user.token })).body.data.name).toBe(
      'Array target',
    );
  });

  it('names each unknown field by its path in a 422, not _, and changes nothing', async () => {
    const other = await t.createUser();
    const user422 = await t.request('PATCH', `/api/admin/users/${other.id}`, {
      token: t.adminToken,
      body: { name: 'Renamed', colour: 'red', 'nick name': 'x' },
    });
    expect(user422.status).toBe(422);
    expect(user422.body.errors).toEqual({ colour: ['unknown field'], 'nick name': ['unknown field'] });
    expect((await t.request('GET', `/api/admin/users/${other.id}`, { token: t.adminToken })).body.data.name).toBe(
      'Test User',
    );

    const settings = await t.request('PATCH', '/api/whatsapp/sessions/any-session/settings', {
      token: user.token,
      body: { min_gap_ms: 1000, colour: 'red', '': 1 },
    });
    expect(settings.status).toBe(422);
    expect(settings.body.errors).toEqual({ colour: ['unknown field'], '""': ['unknown field'] });

    const pool = await t.request('POST', '/api/whatsapp/pools', {
      token: user.token,
      body: { name: 'P', session_ids: ['s'], settings: { jitter_ms: 5, colour: 'red' } },
    });
    expect(pool.status).toBe(422);
    expect(pool.body.errors).toEqual({ 'settings.colour': ['unknown field'] });
    expect((await t.request('GET', '/api/whatsapp/pools', { token: user.token })).body.data).toEqual([]);
  });

  it('answers 422 naming __proto__ as an unknown field, not 500, when a strict schema meets a __proto__ key', async () => {
    const body = '{"__proto__":{"role":"admin"},"constructor":{"prototype":{"x":1}},"min_gap_ms":5}';
    const res = await t.request('PATCH', '/api/whatsapp/sessions/any-session/settings', {
      token: user.token,
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(422);
    expect(Object.entries(res.body.errors)).toEqual([
      ['__proto__', ['unknown field']],
      ['constructor', ['unknown field']],
    ]);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  // Without the router's refusal the databases answer differently, and neither honestly: PostgreSQL 400, SQLite
  // 404 for an id, 200 for a search whose LIKE stops at the NUL (so `a%00x` finds whatever ends in `a`), and 500 for
  // a contact search, whose full-text MATCH fails on it. So a NUL anywhere in a URL is a 400 on every database.
  it('answers 400 for a NUL character in a path or query, the same on both databases, where PostgreSQL answered 500 or cut an export and SQLite answered 500 to a contact search', async () => {
    for (const [method, path] of [
      ['GET', '/api/templates/%00'],
      ['DELETE', '/api/contact-groups/a%00b'],
      ['GET', '/api/contact-groups?search=%00'],
      ['GET', '/api/leads?search=a%00x'],
      ['GET', '/api/contacts?search=abc%00def'],
      ['GET', '/api/contacts/export?format=csv&search=x%00'],
    ] as const) {
      const res = await t.request(method, path, { token: user.token });
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-disposition'), path).toBeNull();
      expect(res.body, path).toMatchObject({ code: 'bad_request', message: expect.stringContaining('NUL') });
    }
  });

  it('answers no 500 for a NUL character in a stored field: PostgreSQL text cannot hold one (400), SQLite can', async () => {
    const res = await t.request('POST', '/api/contacts', {
      token: user.token,
      body: { name: 'Nul\u0000Byte', phone: '6281200000001' },
    });
    expect(res.status).toBe(database === 'postgres' ? 400 : 201);
    const stored = (await t.request('GET', '/api/contacts?search=6281200000001', { token: user.token })).body.data;
    expect(stored).toHaveLength(database === 'postgres' ? 0 : 1);
  });

  it('answers 422 naming scheduled_at for an impossible date (30 February, month 13, a year past 9999) and schedules nothing', async () => {
    for (const scheduledAt of [
      '2027-02-30',
      '2027-02-29T10:00:00Z',
      '2027-13-01',
      '10000-01-01T00:00:00Z',
      '2027-06-01T24:00:00Z',
      '1',
      'March 7 2027',
    ]) {
      const res = await t.request('POST', '/api/whatsapp/messages/schedule/text', {
        token: user.token,
        body: { session_id: 'any-session', to: '6281234567890', message: 'Hi', scheduled_at: scheduledAt },
      });
      expect(res.status, scheduledAt).toBe(422);
      expect(Object.keys(res.body.errors), scheduledAt).toEqual(['scheduled_at']);
    }
    expect((await t.request('GET', '/api/whatsapp/messages/schedule', { token: user.token })).body.data).toEqual([]);
  });

  it('answers 422 naming starts_at and expires_at for impossible announcement dates, and keeps a real leap day', async () => {
    const res = await t.request('POST', '/api/announcements/admin', {
      token: t.adminToken,
      body: { title: 'T', message: 'M', starts_at: '2027-02-29', expires_at: '12345-01-01' },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual({
      starts_at: [expect.stringContaining('2027-02-29')],
      expires_at: ['must be a year from 1970 to 9999'],
    });
    expect((await t.request('GET', '/api/announcements/admin', { token: t.adminToken })).body.data).toEqual([]);

    const leap = await t.request('POST', '/api/announcements/admin', {
      token: t.adminToken,
      body: { title: 'T', message: 'M', starts_at: '2028-02-29', expires_at: '2028-03-01T12:00:00+07:00' },
    });
    expect(leap.status).toBe(201);
    expect(leap.body.data).toMatchObject({
      starts_at: '2028-02-29T00:00:00.000Z',
      expires_at: '2028-03-01T05:00:00.000Z',
    });
    await t.request('DELETE', `/api/announcements/admin/${leap.body.data.id}`, { token: t.adminToken });
  });

  it('sends the security headers on every answer: nosniff, a CSP of this server only, no referrer, no framing', async () => {
    for (const [path, token] of [
      ['/api/health', null],
      ['/api/me', user.token],
      ['/api/contacts/missing', user.token],
      ['/not-the-api', null],
    ] as const) {
      const res = await t.request('GET', path, { token });
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toMatch(/https?:|upgrade-insecure-requests/);
    }
  });

  it('marks the answers carrying a new token or webhook secret Cache-Control: no-store', async () => {
    const token = await t.request('POST', '/api/api-tokens/generate', { token: user.token, body: { name: 'ci' } });
    expect(token.status).toBe(201);
    expect(token.headers.get('cache-control')).toBe('no-store');
    const webhook = await t.request('POST', '/api/webhooks', {
      token: user.token,
      body: { url: 'https://hooks.example.com/kirim', events: ['*'] },
    });
    expect(webhook.status).toBe(201);
    expect(webhook.body.data.secret).toMatch(/^whsec_/);
    expect(webhook.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a CORS preflight 204 without CORS headers when CORS is off, not 401', async () => {
    const res = await t.request('OPTIONS', '/api/contacts', {
      token: null,
      headers: {
        origin: 'https://console.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const call = await t.request('GET', '/api/me', {
      token: user.token,
      headers: { origin: 'https://console.example' },
    });
    expect(call.status).toBe(200);
    expect(call.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe.each(DATABASES)("an error that is not the client's, whatever status it carries, on %s", (database) => {
  it("answers a library error with a 4xx statusCode but no expose (undici's ResponseError from a transport) with a logged 500, not a 400", async () => {
    const network = createSimulatedNetwork({ latencyMs: 1 });
    const upstream404 = new undiciErrors.ResponseError('Response Error', 404, { headers: {}, body: 'not found' });
    // The simulated network, except that listing groups fails as a library's HTTP call to WhatsApp's servers would.
    const transport: Transport = {
      name: 'simulated',
      async connect(options) {
        const connection = await network.transport.connect(options);
        return new Proxy(connection, {
          get: (target, key) => {
            if (key === 'groups') return { ...target.groups, list: () => Promise.reject(upstream404) };
            const value = Reflect.get(target, key);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      },
      downloadMedia: (message) => network.transport.downloadMedia(message),
    };
    const logged: Array<{ obj: unknown; msg?: string }> = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (obj, msg) => logged.push({ obj, msg }),
      child: () => logger,
    };
    const t = await startTestServer(database, {}, { transport, logger });
    try {
      const id = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'device' } })).body.data.id;
      await eventually(async () => (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data.qr);
      await network.link(id, '6281277000001');
      await eventually(
        async () => (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data.status === 'connected',
      );

      const res = await t.request('GET', `/api/whatsapp/sessions/${id}/groups`);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ success: false, code: 'internal', message: 'Internal server error' });
      expect(logged).toContainEqual({
        obj: expect.objectContaining({ err: upstream404, path: `/whatsapp/sessions/${id}/groups` }),
        msg: 'unhandled error',
      });
    } finally {
      await t.close();
    }
  });
});

describe('CORS from KIRIM_CORS_ORIGINS', () => {
  it("answers a configured origin's preflight 204 before auth with the CORS headers, and no other origin", async () => {
    const t = await startTestServer('sqlite', { KIRIM_CORS_ORIGINS: 'https://a.example, https://b.example:8443' });
    try {
      const preflight = (origin: string) =>
        t.request('OPTIONS', '/api/contacts', {
          token: null,
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type',
          },
        });
      const allowed = await preflight('https://b.example:8443');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://b.example:8443');
      expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
      expect(allowed.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
      const refused = await preflight('https://evil.example');
      expect(refused.status).toBe(204);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();

      const call = await t.request('GET', '/api/me', { headers: { origin: 'https://a.example' } });
      expect(call.status).toBe(200);
      expect(call.headers.get('access-control-allow-origin')).toBe('https://a.example');
      // Still authenticated: CORS lets a browser call, the token decides what it gets.
      expect(
        (await t.request('GET', '/api/me', { token: null, headers: { origin: 'https://a.example' } })).status,
      ).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('allows any origin with *', async () => {
    const t = await startTestServer('sqlite', { KIRIM_CORS_ORIGINS: '*' });
    try {
      const res = await t.request('OPTIONS', '/api/me', {
        token: null,
        headers: { origin: 'https://any.example', 'access-control-request-method': 'GET' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    } finally {
      await t.close();
    }
  });

  it('refuses a KIRIM_CORS_ORIGINS that is not a list of origins, naming it', () => {
    expect(() => loadConfig({ KIRIM_CORS_ORIGINS: 'https://a.example/console, a.example' })).toThrow(
      /KIRIM_CORS_ORIGINS.*a\.example\/console, a\.example/s,
    );
    expect(loadConfig({ KIRIM_CORS_ORIGINS: 'https://a.example/, http://localhost:5173' }).corsOrigins).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(loadConfig({}).corsOrigins).toBeUndefined();
  });
});
