import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKirim, type Kirim, type Storage } from '@kirim/core';
import { aSession } from '@kirim/core/testing';
import { kirimRouter } from '@kirim/http-express';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { DATABASES } from '../support/harness.js';
import { openTestStorage, testCleanups } from '../support/storage.js';

// An application embedding the engine and its router, with no WhatsApp transport configured.
describe.each(DATABASES)('embedding Kirim without a transport on %s', (database) => {
  const cleanups = testCleanups();
  let kirim: Kirim;
  let storage: Storage;
  let url: string;
  let token: string;

  async function embed() {
    storage = await openTestStorage(database, cleanups);
    kirim = createKirim({ storage });
    await kirim.start();
    cleanups.push(() => kirim.stop());
    token = (await kirim.accounts.bootstrapAdmin({ name: 'Admin', email: 'admin@example.com' }))!.token.token;
    const app = express().use('/api', kirimRouter(kirim));
    const server: Server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  }

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('answers 503 unavailable to POST /whatsapp/sessions and stores no session, where it stored one left connecting', async () => {
    await embed();
    const created = await call('POST', '/whatsapp/sessions', { session_name: 'Toko' });
    expect(created.status).toBe(503);
    expect(created.body).toMatchObject({
      success: false,
      code: 'unavailable',
      message: expect.stringMatching(/No WhatsApp transport is configured/),
    });
    expect((await call('GET', '/whatsapp/sessions')).body.data).toEqual([]);
  });

  it('answers 503 unavailable to connect and leaves the stored session as it was, where it marked it to be connected', async () => {
    await embed();
    const admin = (await storage.users.list({ limit: 1, offset: 0 })).items[0];
    const at = new Date().toISOString();
    await storage.sessions.insert(
      aSession(admin.id, {
        id: 'kept',
        name: 'Kept',
        status: 'disconnected',
        reason: 'disconnected by user',
        desired: 'disconnected',
        phone: null,
        connected_at: null,
        linked_at: null,
        created_at: at,
        updated_at: at,
      }),
    );
    const connect = await call('POST', '/whatsapp/sessions/kept/connect');
    expect(connect.status).toBe(503);
    expect(connect.body.code).toBe('unavailable');
    expect((await call('GET', '/whatsapp/sessions/kept')).body.data).toMatchObject({
      status: 'disconnected',
      is_active: false,
      updated_at: at,
    });
  });
});
