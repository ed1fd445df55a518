import type { WAMessage } from 'baileys';
import { describe, expect, it } from 'vitest';
import { loadBaileys } from './baileys-module.js';
import { toIncomingMessage } from './message-mapping.js';

const baileys = await loadBaileys();
const chat = '15550001111@s.whatsapp.net';
const sender = { phone: '15550001111', lid: null };
const text = (messageTimestamp?: number): WAMessage => ({
  key: { id: 'MSG1', remoteJid: chat, fromMe: false },
  message: { conversation: 'hi' },
  ...(messageTimestamp === undefined ? {} : { messageTimestamp }),
});

describe('toIncomingMessage', () => {
  it('dates a message that carries no time of its own by when it was received (the injected clock), not Date.now()', () => {
    const receivedAt = new Date('2026-03-04T05:06:07.000Z');
    expect(toIncomingMessage(baileys, text(), sender, chat, null, receivedAt)?.timestamp).toEqual(receivedAt);
  });

  it("dates a message by its own time where it carries one, whatever the clock's", () => {
    const receivedAt = new Date('2026-03-04T05:06:07.000Z');
    const incoming = toIncomingMessage(baileys, text(1_767_225_600), sender, chat, null, receivedAt);
    expect(incoming?.timestamp).toEqual(new Date('2026-01-01T00:00:00.000Z'));
  });
});
