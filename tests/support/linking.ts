import type { SimulatedNetwork } from '@kirim/core';
import { expect } from 'vitest';
import { eventually } from './eventually.js';
import type { TestDatabase, TestServer } from './harness.js';

/**
 * Creates a session through the API and links it by scanning its QR code with the simulated phone `phone`;
 * resolves with the session's id once it is connected, and after its send limits are set when `settings` is given.
 */
export async function linkSession(
  server: TestServer,
  network: SimulatedNetwork,
  token: string,
  phone: string,
  options: { name?: string; settings?: Record<string, unknown> } = {},
): Promise<string> {
  const id: string = (
    await server.request('POST', '/api/whatsapp/sessions', { token, body: { session_name: options.name ?? 'device' } })
  ).body.data.id;
  const qr = await eventually(
    async () => (await server.request('GET', `/api/whatsapp/sessions/${id}/status`, { token })).body.data.qr,
  );
  await network.phone(phone).scanQr(qr);
  await eventually(
    async () =>
      (await server.request('GET', `/api/whatsapp/sessions/${id}/status`, { token })).body.data.status === 'connected',
  );
  if (options.settings)
    expect(
      (await server.request('PATCH', `/api/whatsapp/sessions/${id}/settings`, { token, body: options.settings }))
        .status,
    ).toBe(200);
  return id;
}

/**
 * Hands out phone numbers `prefix`, a digit for the database, then a sequence: a test file runs once per
 * database, and its two runs never share a simulated phone.
 */
export function phoneSequence(prefix: string, database: TestDatabase): () => string {
  let seq = 0;
  return () => `${prefix}${database === 'sqlite' ? '1' : '2'}${String(++seq).padStart(6, '0')}`;
}
