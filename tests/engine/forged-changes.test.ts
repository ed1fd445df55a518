// Changes to a message (reactions, edits, deletes, votes) reach a session end-to-end encrypted: WhatsApp's servers
// do not check who made them, so a chat member can name any message id. The transport reports what arrives as it
// arrives; the engine keeps only what the message's author could make. An engine on a manual clock over each
// database and the simulated network, its listener fed the changes Baileys would report from the wire.
import type { MessageUpdate, TransportListener } from '@kirim/core';
import { describe, expect, it } from 'vitest';
import { linkedEngineOnClock } from '../support/clock-engine.js';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { testCleanups } from '../support/storage.js';

const SESSION_PHONE = '6281500000031';
const CUSTOMER = '6281500000032';
const STRANGER = '6281500000033';

describe.each(DATABASES)('changes to a message by someone other than its author on %s', (database) => {
  const cleanups = testCleanups();

  it('ignores an edit or a delete of a message by someone who did not write it, storing and publishing nothing', async () => {
    let listener: TransportListener | undefined;
    const { kirim, storage, clock, network, actor, sessionId, passing } = await linkedEngineOnClock(
      database,
      cleanups,
      {
        phone: SESSION_PHONE,
        // The network's transport, its listener kept to be told what Baileys would report from the wire.
        transport: (network) => ({
          name: 'simulated',
          downloadMedia: (message) => network.transport.downloadMedia(message),
          connect(options) {
            listener = options.listener;
            return network.transport.connect(options);
          },
        }),
        outbox: { limits: { min_gap_ms: 0, jitter_ms: 0 } },
      },
    );
    const published: string[] = [];
    kirim.on('*', (event) => {
      if (event.type !== 'message.status' && event.type !== 'message.received') published.push(event.type);
    });

    const customer = network.phone(CUSTOMER);
    const received = customer.send(sessionId, 'Pesanan saya 2 kotak');
    await eventually(async () => (await storage.messages.findByMessageId(sessionId, received)) !== undefined);
    const sent = await passing(
      kirim.sends.sendText(actor, { session_id: sessionId, to: CUSTOMER, message: 'Total Rp 50.000' }),
    );
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
