import { randomUUID } from 'node:crypto';
import { hashToken } from '@kirim/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';

describe.each(DATABASES)('accounts over HTTP on %s', (database) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(database);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('GET /api/health', () => {
    it('answers without a token', async () => {
      const res = await t.request('GET', '/api/health', { token: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'OK', service: expect.any(String) });
      expect(Date.parse(res.body.timestamp)).not.toBeNaN();
    });
  });

  describe('bearer auth', () => {
    it('answers 401 with the document body when the token is missing', async () => {
      const res = await t.request('GET', '/api/me', { token: null });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized - No Bearer Token' });
    });

    it('answers 401 with the document body for an unknown token', async () => {
      const res = await t.request('GET', '/api/me', { token: 'kirim_not-a-real-token' });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized - Invalid Token' });
    });

    it('rejects a token at once after it is revoked', async () => {
      const user = await t.createUser();
      expect((await t.request('GET', '/api/me', { token: user.token })).status).toBe(200);
      const listed = await t.request('GET', '/api/api-tokens', { token: user.token });
      await t.request('DELETE', '/api/api-tokens', { token: user.token, body: { id: listed.body.data[0].id } });
      expect((await t.request('GET', '/api/me', { token: user.token })).body).toEqual({
        message: 'Unauthorized - Invalid Token',
      });
    });
  });

  describe('GET /api/me', () => {
    it("returns the token's user with role and plan", async () => {
      const user = await t.createUser({ name: 'Sari', plan: 'supporter' });
      const res = await t.request('GET', '/api/me', { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        success: true,
        data: { id: user.id, name: 'Sari', email: user.email, role: 'user', plan: 'supporter' },
      });
    });
  });

  describe('api tokens', () => {
    it('generates a prefixed token shown once, lists it masked, and authenticates with it', async () => {
      const user = await t.createUser();
      const created = await t.request('POST', '/api/api-tokens/generate', {
        token: user.token,
        body: { name: 'Shop bot', expires_in_days: 30 },
      });
      expect(created.status).toBe(201);
      const plaintext: string = created.body.data.token;
      expect(plaintext).toMatch(/^kirim_[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(created.body.data.expired_at) - Date.parse(created.body.data.created_at)).toBe(30 * 86_400_000);

      const listed = await t.request('GET', '/api/api-tokens', { token: plaintext });
      const entry = listed.body.data.find((tok: { id: string }) => tok.id === created.body.data.id);
      expect(entry).toMatchObject({ name: 'Shop bot', token: expect.stringMatching(/^kirim_.{4}…$/) });
      expect(JSON.stringify(listed.body)).not.toContain(plaintext);
      expect(JSON.stringify(listed.body)).not.toContain('token_hash');
    });

    it('records last_used_at when a token is used', async () => {
      const user = await t.createUser();
      await t.request('GET', '/api/me', { token: user.token });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const listed = await t.request('GET', '/api/api-tokens', { token: user.token });
      expect(Date.parse(listed.body.data[0].last_used_at)).not.toBeNaN();
    });

    it('refuses an expired token', async () => {
      const user = await t.createUser();
      const plaintext = `kirim_${randomUUID()}`;
      await t.server.storage.apiTokens.insert({
        id: randomUUID(),
        user_id: user.id,
        name: 'old',
        token_hash: hashToken(plaintext),
        token_prefix: 'kirim_…',
        created_at: '1999-01-01T00:00:00.000Z',
        expired_at: '2000-01-01T00:00:00.000Z',
        last_used_at: null,
      });
      const res = await t.request('GET', '/api/me', { token: plaintext });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Unauthorized - Invalid Token' });
    });

    it("answers 404 when revoking another user's token", async () => {
      const owner = await t.createUser();
      const other = await t.createUser();
      const created = await t.request('POST', '/api/api-tokens/generate', {
        token: owner.token,
        body: { name: 'mine' },
      });
      const res = await t.request('DELETE', '/api/api-tokens', {
        token: other.token,
        body: { id: created.body.data.id },
      });
      expect(res.status).toBe(404);
      expect((await t.request('GET', '/api/me', { token: created.body.data.token })).status).toBe(200);
    });

    it('refuses user_id from a non-admin and honours it for an admin', async () => {
      const user = await t.createUser();
      const other = await t.createUser();
      const refused = await t.request('POST', '/api/api-tokens/generate', {
        token: user.token,
        body: { name: 'x', user_id: other.id },
      });
      expect(refused.status).toBe(403);
      const made = await t.request('POST', '/api/api-tokens/generate', {
        body: { name: 'for other', user_id: other.id },
      });
      expect(made.status).toBe(201);
      expect(made.body.data.user_id).toBe(other.id);
      const listed = await t.request('GET', `/api/api-tokens?user_id=${other.id}`);
      expect(listed.body.data.map((tok: { name: string }) => tok.name)).toContain('for other');
    });

    it('names every bad field in a 422 and stores nothing', async () => {
      const user = await t.createUser();
      const before = await t.request('GET', '/api/api-tokens', { token: user.token });
      const res = await t.request('POST', '/api/api-tokens/generate', {
        token: user.token,
        body: { name: '', expires_in_days: -3 },
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ success: false, code: 'validation' });
      expect(Object.keys(res.body.errors).sort()).toEqual(['expires_in_days', 'name']);
      const after = await t.request('GET', '/api/api-tokens', { token: user.token });
      expect(after.body.data).toHaveLength(before.body.data.length);
    });
  });

  describe('admin users', () => {
    it('creates, reads, updates, lists and deletes a user', async () => {
      const created = await t.request('POST', '/api/admin/users', {
        body: {
          name: 'Budi',
          email: 'Budi@Example.com',
          role: 'user',
          plan: 'supporter',
          plan_expires_at: '2030-01-01T00:00:00Z',
        },
      });
      expect(created.status).toBe(201);
      expect(created.body.data).toMatchObject({
        name: 'Budi',
        email: 'budi@example.com',
        plan: 'supporter',
        plan_expires_at: '2030-01-01T00:00:00.000Z',
      });
      const id = created.body.data.id;
      expect((await t.request('GET', `/api/admin/users/${id}`)).body.data.name).toBe('Budi');
      const patched = await t.request('PATCH', `/api/admin/users/${id}`, {
        body: { name: 'Budi S', plan_expires_at: null },
      });
      expect(patched.body.data).toMatchObject({ name: 'Budi S', plan_expires_at: null });
      const list = await t.request('GET', '/api/admin/users?per_page=100');
      expect(list.body.meta).toMatchObject({ page: 1, per_page: 100, total: expect.any(Number) });
      expect(list.body.data.some((u: { id: string }) => u.id === id)).toBe(true);
      expect((await t.request('DELETE', `/api/admin/users/${id}`)).status).toBe(200);
      expect((await t.request('GET', `/api/admin/users/${id}`)).status).toBe(404);
    });

    it('rejects a duplicate email with 409', async () => {
      const user = await t.createUser();
      const res = await t.request('POST', '/api/admin/users', {
        body: { name: 'Again', email: user.email.toUpperCase() },
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('conflict');
    });

    it('answers 403 to a non-admin', async () => {
      const user = await t.createUser();
      for (const [method, path] of [
        ['GET', '/api/admin/users'],
        ['POST', '/api/admin/users'],
        ['DELETE', `/api/admin/users/${user.id}`],
      ]) {
        const res = await t.request(method, path, {
          token: user.token,
          body: method === 'POST' ? { name: 'x', email: 'x@example.com' } : undefined,
        });
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('forbidden');
      }
    });

    it('names every bad field and stores nothing', async () => {
      const before = (await t.request('GET', '/api/admin/users')).body.meta.total;
      const res = await t.request('POST', '/api/admin/users', {
        body: { email: 'not-an-email', role: 'king', plan: 'gold', plan_expires_at: 'someday' },
      });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors).sort()).toEqual(['email', 'name', 'plan', 'plan_expires_at', 'role']);
      expect((await t.request('GET', '/api/admin/users')).body.meta.total).toBe(before);
    });

    it('deleting a user revokes its tokens', async () => {
      const user = await t.createUser();
      await t.request('DELETE', `/api/admin/users/${user.id}`);
      expect((await t.request('GET', '/api/me', { token: user.token })).status).toBe(401);
    });
  });

  describe('request bodies', () => {
    it('answers malformed JSON with 400, not 500', async () => {
      const res = await t.request('POST', '/api/api-tokens/generate', {
        body: '{"name": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ success: false, code: 'bad_request' });
    });

    it('answers 413 past the body limit', async () => {
      const res = await t.request('POST', '/api/api-tokens/generate', { body: { name: 'x'.repeat(2 * 1024 * 1024) } });
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('payload_too_large');
    });

    it('answers an unknown route with 404 in the error envelope', async () => {
      const res = await t.request('GET', '/api/no-such-thing');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ success: false, code: 'not_found' });
    });
  });

  describe('GET /api/test-node-connection', () => {
    it("reports uptime, memory and counts in the document's shape", async () => {
      const res = await t.request('GET', '/api/test-node-connection');
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        status: 'OK',
        uptime: expect.any(Number),
        uptimeFormatted: expect.stringMatching(/\d+m \d+s/),
        memory: {
          used: expect.stringMatching(/MB$/),
          total: expect.stringMatching(/MB$/),
          rss: expect.stringMatching(/MB$/),
        },
        bulk_jobs: expect.any(Number),
        scheduled_messages: expect.any(Number),
        message_store_size: expect.any(Number),
        sessions: { total: expect.any(Number), details: expect.any(Array) },
      });
    });
  });
});
