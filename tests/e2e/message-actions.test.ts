// The real path for the actions on a message: the reference server's HTTP API drives unmodified Baileys against
// @kirim/wa-sim, and the customer's phone decrypts what arrives with its own keys and decodes it.
import type { SimPhone, WaSim } from '@kirim/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, type TestServer } from '../support/harness.js';
import { QUICK_SENDS } from '../support/quick-sends.js';
import { startServerOverWaSim } from '../support/wa-sim-server.js';

describe.each(DATABASES)('actions on a message over the HTTP API, Baileys and wa-sim on %s', (database) => {
  let sim: WaSim;
  let t: TestServer;
  beforeAll(async () => {
    ({ sim, t } = await startServerOverWaSim(database, QUICK_SENDS));
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  const suffix = database === 'sqlite' ? '311' : '411';
  const status = async (id: string) => (await t.request('GET', `/api/whatsapp/sessions/${id}/status`)).body.data;
  const stored = (messageId: string) => t.request('GET', `/api/whatsapp/messages/${messageId}`);

  /** A session linked to its phone, and a customer who wrote to it (the message stored). */
  async function conversation() {
    const phone = sim.phone(`628120000${suffix}`);
    const customer = sim.phone(`628199990${suffix}`);
    const id = (await t.request('POST', '/api/whatsapp/sessions', { body: { session_name: 'actions' } })).body.data.id;
    await phone.scanQr(await eventually(async () => (await status(id)).qr, 10_000));
    await eventually(async () => (await status(id)).status === 'connected', 15_000);
    const question = await customer.sendText(phone.number, 'Ada warna biru?');
    await eventually(async () => (await stored(question)).status === 200, 10_000);
    return { id, phone, customer, question };
  }

  /** Posts an action and returns what the phone `to` decoded of the message it sent. */
  async function acted(to: SimPhone, method: string, path: string, body?: unknown) {
    const res = await t.request(method, `/api/whatsapp/messages/${path}`, { body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return to.waitForMessage((m) => m.id === res.body.data.message_id, 10_000);
  }

  it('replies, reacts, edits, deletes, forwards and reads: the phones decode each, naming the message acted on', async () => {
    const { id, phone, customer, question } = await conversation();

    const reply = await acted(customer, 'POST', `${question}/reply`, { message: 'Ada, kak!' });
    expect(reply.decoded).toEqual({ kind: 'text', text: 'Ada, kak!' });
    expect(reply.message?.extendedTextMessage?.contextInfo?.stanzaId).toBe(question);

    const reaction = await acted(customer, 'POST', `${question}/reaction`, { emoji: '👍' });
    expect(reaction.decoded).toMatchObject({ kind: 'reaction', emoji: '👍', key: { id: question, fromMe: false } });
    expect((await stored(question)).body.data.reactions).toMatchObject([{ emoji: '👍', phone: phone.number }]);

    const own = (
      await t.request('POST', '/api/whatsapp/messages/text', {
        body: { session_id: id, to: customer.number, message: 'Harga 10rb' },
      })
    ).body.data.message_id as string;
    const edit = await acted(customer, 'PATCH', own, { message: 'Harga 12rb' });
    expect(edit.decoded).toMatchObject({ kind: 'edit', text: 'Harga 12rb', key: { id: own, fromMe: true } });
    const revoke = await acted(customer, 'DELETE', own);
    expect(revoke.decoded).toMatchObject({ kind: 'revoke', key: { id: own, fromMe: true } });
    expect((await stored(own)).body.data).toMatchObject({ text: 'Harga 12rb', edited_at: expect.any(String) });
    expect((await stored(own)).body.data.revoked_at).toEqual(expect.any(String));

    const friend = sim.phone(`628199991${suffix}`);
    const forward = await acted(friend, 'POST', `${question}/forward`, { to: friend.number });
    expect(forward.decoded).toEqual({ kind: 'text', text: 'Ada warna biru?' });
    expect(forward.message?.extendedTextMessage?.contextInfo?.isForwarded).toBe(true);

    const second = await customer.sendText(phone.number, 'Yang merah juga?');
    const later = await customer.sendText(phone.number, 'Halo?');
    await eventually(async () => (await stored(later)).status === 200, 10_000);
    const read = await t.request('POST', `/api/whatsapp/messages/${second}/read`);
    expect(read.status).toBe(200);
    await eventually(() => [question, second].every((m) => customer.sent.get(m)?.status === 'read'), 10_000);
    expect(customer.sent.get(later)?.status).not.toBe('read');
  });
});
