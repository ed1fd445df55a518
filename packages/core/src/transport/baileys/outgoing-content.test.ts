import { describe, expect, it } from 'vitest';
import type { OutgoingContent } from '../transport.js';
import { loadBaileys } from './baileys-module.js';
import { baileysContent } from './outgoing-content.js';

/** The WhatsApp message Baileys builds from `content`, and the links Baileys itself asked a preview of. */
async function built(content: OutgoingContent) {
  const baileys = await loadBaileys();
  const asked: string[] = [];
  const message = await baileys.generateWAMessageContent(
    await baileysContent(content, {
      baileys,
      chat: '6281234567890@s.whatsapp.net',
      mentions: undefined,
      getMessage: async (messageId) => ({ messageId, chat: '6281234567890@s.whatsapp.net', fromMe: true, raw: null }),
    }),
    {
      // What Baileys' socket gives every send (it fetches the link, past Kirim's SSRF guard); it must never be used.
      getUrlInfo: async (url) => {
        asked.push(url);
        return undefined;
      },
      upload: () => Promise.reject(new Error('no upload in this test')),
    },
  );
  return { message, asked };
}

describe('baileysContent', () => {
  it('keeps Baileys from fetching the link of a text sent without a preview', async () => {
    const { message, asked } = await built({ kind: 'text', text: 'Katalog: https://example.com/katalog' });
    expect(asked).toEqual([]);
    expect(message.extendedTextMessage?.title ?? message.extendedTextMessage?.matchedText ?? null).toBeNull();
  });

  it("keeps Baileys from fetching the link of an edit's new text", async () => {
    const { asked } = await built({ kind: 'edit', messageId: 'M1', text: 'Baru: https://example.com/baru' });
    expect(asked).toEqual([]);
  });

  it('sends the preview core made, as the extended text message WhatsApp shows', async () => {
    const thumbnail = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
    const { message, asked } = await built({
      kind: 'text',
      text: 'Katalog: https://example.com/katalog',
      linkPreview: { url: 'https://example.com/katalog', title: 'Katalog', description: 'Baru', thumbnail },
    });
    expect(asked).toEqual([]);
    expect(message.extendedTextMessage).toMatchObject({
      text: 'Katalog: https://example.com/katalog',
      matchedText: 'https://example.com/katalog',
      title: 'Katalog',
      description: 'Baru',
    });
    expect(Buffer.from(message.extendedTextMessage!.jpegThumbnail!)).toEqual(thumbnail);
  });

  it("maps a voice note to a ptt audio with its seconds, waveform and WhatsApp's voice-note type", async () => {
    const baileys = await loadBaileys();
    const waveform = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
    const content = await baileysContent(
      {
        kind: 'media',
        media: { type: 'voice', data: Buffer.from('OggS'), mimetype: 'audio/ogg', seconds: 7, waveform },
        viewOnce: true,
      },
      { baileys, chat: '6281234567890@s.whatsapp.net', mentions: undefined, getMessage: async () => undefined },
    );
    expect(content).toMatchObject({
      audio: Buffer.from('OggS'),
      ptt: true,
      seconds: 7,
      waveform,
      mimetype: 'audio/ogg; codecs=opus',
      viewOnce: true,
    });
  });
});
