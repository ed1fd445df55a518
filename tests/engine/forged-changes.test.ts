// Changes to a message (reactions, edits, deletes, votes) reach a session end-to-end encrypted: WhatsApp's servers
// do not check who made them, so a chat member can name any message id. The transport reports what arrives as it
// arrives; the engine keeps only what the message's author could make. An engine on a manual clock over each
// database and the simulated network, its listener fed the changes Baileys would report from the wire.
import {
  createKirim,
  createSimulatedNetwork,
  type Actor,
  type MessageUpdate,
  type TransportListener,
} from '@kirim/core';
import { ManualClock } from '@kirim/core/testing';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { openTestStorage, testCleanups } from '../support/storage.js';

const SESSION_PHONE = '6281500000031';
const CUSTOMER = '6281500000032';
const STRANGER = '6281500000033';

describe.each(DATABASES)('changes to a message by someone other than its author on %s', (database) => {
  const cleanups = testCleanups();

  it('ignores an edit or a delete of a message by someone who did not write it, storing and publishing nothing', async () => {
    const storage = await openTestStorage(database, cleanups);
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    const network = createSimulatedNetwork({ clock, latencyMs: 0 });
    let listener: TransportListener | undefined;
    const kirim = createKirim({
      storage,
      clock,
      transport: {
        name: 'simulated',
        downloadMedia: (message) => network.transport.downloadMedia(message),
        connect(options) {
          listener = options.listener;
          return network.transport.connect(options);
        },
      },
      outbox: { limits: { min_gap_ms: 0, jitter_ms: 0 } },
    });
    await kirim.start();
    cleanups.push(() => kirim.stop());
    const user = await kirim.accounts.createUserUnchecked({ name: 'Owner', email: 'owner@example.com' });
    const actor: Actor = await kirim.accounts.actorFor(user.id);
    const session = await kirim.sessions.create(actor, { session_name: 'device' });
    await eventually(() => network.sessions().some((s) => s.sessionId === session.id && s.state === 'qr'));
    await network.link(session.id, SESSION_PHONE);
    await eventually(async () => (await storage.sessions.getById(session.id))?.status === 'connected');
    const published: string[] = [];
    kirim.on('*', (event) => {
      if (event.type !== 'message.status' && event.type !== 'message.received') published.push(event.type);
    });

    const customer = network.phone(CUSTOMER);
    const received = customer.send(session.id, 'Pesanan saya 2 kotak');
    await eventually(async () => (await storage.messages.findByMessageId(session.id, received)) !== undefined);
    // The send waits for its row, which the dispatcher sends on the manual clock's ticks.
    let sending = true;
    const send = kirim.sends
      .sendText(actor, { session_id: session.id, to: CUSTOMER, message: 'Total Rp 50.000' })
      .finally(() => (sending = false));
    await eventually(async () => {
      if (sending) await clock.advance(100);
      return !sending;
    });
    const sent = await send;
    published.length = 0;

    const by = (phone: string, chat: string) => ({ chat, from: `${phone}@s.whatsapp.net`, fromPhone: phone });
    const at = clock.now();
    const forged: MessageUpdate[] = [
      // The customer rewrites and deletes what the business told them.
      {
        ...by(CUSTOMER, `${CUSTOMER}@s.whatsapp.net`),
        messageId: sent.message_id!,
        fromMe: false,
        at,
        kind: 'edit',
        text: 'Total Rp 5.000',
      },
      { ...by(CUSTOMER, `${CUSTOMER}@s.whatsapp.net`), messageId: sent.message_id!, fromMe: false, at, kind: 'revoke' },
      // A stranger, from their own chat, rewrites and deletes what the customer wrote.
      {
        ...by(STRANGER, `${STRANGER}@s.whatsapp.net`),
        messageId: received,
        fromMe: false,
        at,
        kind: 'edit',
        text: 'Batal',
      },
      { ...by(STRANGER, `${STRANGER}@s.whatsapp.net`), messageId: received, fromMe: false, at, kind: 'revoke' },
    ];
    for (const update of forged) listener!.onUpdate(update);
    // The author's own edit comes after them on the session's queue: once it is stored, the forged ones were handled.
    listener!.onUpdate({
      ...by(CUSTOMER, `${CUSTOMER}@s.whatsapp.net`),
      messageId: received,
      fromMe: false,
      at,
      kind: 'edit',
      text: 'Pesanan saya 3 kotak',
    });
    await eventually(async () => (await kirim.messages.get(actor, received)).text === 'Pesanan saya 3 kotak');

    expect(await kirim.messages.get(actor, received)).toMatchObject({ revoked_at: null });
    expect(await kirim.messages.get(actor, sent.message_id!)).toMatchObject({
      text: 'Total Rp 50.000',
      edited_at: null,
      revoked_at: null,
    });
    expect(published).toEqual(['message.edited']);
  });
});
