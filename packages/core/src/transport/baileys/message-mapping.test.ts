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

describe('toIncomingMessage of each kind', () => {
  const received = (message: WAMessage['message']) =>
    toIncomingMessage(
      baileys,
      { key: { id: 'K1', remoteJid: chat, fromMe: false }, message },
      sender,
      chat,
      null,
      new Date(),
    );

  it("maps an audio with ptt to a voice note, with its media's mimetype, size (a protobuf Long) and seconds", () => {
    const incoming = received({
      audioMessage: {
        mimetype: 'audio/ogg; codecs=opus',
        fileLength: baileys.proto.Message.AudioMessage.fromObject({ fileLength: 4321 }).fileLength,
        seconds: 7,
        ptt: true,
      },
    });
    expect(incoming).toMatchObject({
      type: 'voice',
      media: { mimetype: 'audio/ogg; codecs=opus', size: 4321, filename: null, seconds: 7 },
      content: null,
    });
    expect(received({ audioMessage: { mimetype: 'audio/mpeg', seconds: 3 } })?.type).toBe('audio');
  });

  it.each([
    ['imageMessage', 'image'],
    ['videoMessage', 'video'],
    ['ptvMessage', 'video'],
    ['stickerMessage', 'sticker'],
  ] as const)('maps a %s to %s with its media', (contentType, type) => {
    const incoming = received({ [contentType]: { mimetype: 'x/y', fileLength: 10, caption: 'lihat' } });
    expect(incoming).toMatchObject({ type, media: { mimetype: 'x/y', size: 10 } });
  });

  it('maps a document (with a caption, wrapped or not) to its file name and caption', () => {
    const document = { mimetype: 'application/pdf', fileName: 'nota.pdf', fileLength: 99, caption: 'Nota' };
    for (const message of [
      { documentMessage: document },
      { documentWithCaptionMessage: { message: { documentMessage: document } } },
    ]) {
      expect(received(message)).toMatchObject({
        type: 'document',
        text: 'Nota',
        media: { mimetype: 'application/pdf', size: 99, filename: 'nota.pdf', seconds: null },
      });
    }
  });

  it.each(['pollCreationMessage', 'pollCreationMessageV2', 'pollCreationMessageV3'] as const)(
    'maps a %s to a poll; any selectable count but 1 allows several answers',
    (version) => {
      const poll = (selectableOptionsCount?: number) =>
        received({
          [version]: { name: 'Q?', options: [{ optionName: 'A' }, { optionName: 'B' }], selectableOptionsCount },
        });
      expect(poll(1)?.content).toEqual({ kind: 'poll', question: 'Q?', options: ['A', 'B'], multipleAnswers: false });
      expect(poll(0)?.content).toMatchObject({ multipleAnswers: true });
      expect(poll(2)?.content).toMatchObject({ multipleAnswers: true });
    },
  );

  it('maps a live location to a location with its coordinates', () => {
    const incoming = received({ liveLocationMessage: { degreesLatitude: 1.5, degreesLongitude: 2.5, caption: 'OTW' } });
    expect(incoming).toMatchObject({
      type: 'location',
      text: 'OTW',
      content: { kind: 'location', latitude: 1.5, longitude: 2.5 },
    });
  });

  it('reports reactions, poll votes, edits and revokes as no message (they are updates)', () => {
    const key = { id: 'K0', remoteJid: chat, fromMe: true };
    const { Type } = baileys.proto.Message.ProtocolMessage;
    expect(received({ reactionMessage: { key, text: '👍' } })).toBeNull();
    expect(received({ pollUpdateMessage: { pollCreationMessageKey: key } })).toBeNull();
    expect(
      received({ protocolMessage: { key, type: Type.MESSAGE_EDIT, editedMessage: { conversation: 'x' } } }),
    ).toBeNull();
    expect(received({ protocolMessage: { key, type: Type.REVOKE } })).toBeNull();
  });
});
