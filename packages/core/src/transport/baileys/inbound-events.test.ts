import type { WAMessage, WASocket } from 'baileys';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../logger.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { memoryAuthStore } from '../../testing/memory-auth-store.js';
import { recordingListener } from '../../testing/recording-listener.js';
import { loadAuthState } from './baileys-auth-state.js';
import { loadBaileys } from './baileys-module.js';
import { InboundEvents } from './inbound-events.js';

const baileys = await loadBaileys();
const chat = '15550002222@s.whatsapp.net';
/** Baileys' socket as InboundEvents reads it: only its LID mapping store, which knows no one here. */
const sock = {
  signalRepository: { lidMapping: { getPNForLID: async () => null, getLIDForPN: async () => null } },
} as unknown as WASocket;

describe('InboundEvents.onUpsert', () => {
  it('loses only the vote whose poll the store fails to load, not the messages after it in the batch', async () => {
    const auth = await loadAuthState(baileys, memoryAuthStore());
    auth.state.creds.me = { id: '15550001111:3@s.whatsapp.net', lid: '100000000000001:3@lid' };
    const listener = recordingListener();
    const inbound = new InboundEvents({
      baileys,
      auth,
      listener,
      getMessage: () => Promise.reject(new Error('database unreachable')),
      clock: new ManualClock(),
      log: silentLogger,
    });
    const vote: WAMessage = {
      key: { id: 'VOTE1', remoteJid: chat, fromMe: false },
      message: {
        pollUpdateMessage: {
          pollCreationMessageKey: { id: 'POLL1', remoteJid: chat, fromMe: true },
          vote: { encPayload: Buffer.alloc(32), encIv: Buffer.alloc(12) },
        },
      },
    };
    const text: WAMessage = {
      key: { id: 'TEXT1', remoteJid: chat, fromMe: false },
      message: { conversation: 'after' },
    };
    await inbound.onUpsert(sock, [vote, text]);
    expect(listener.updates).toEqual([]);
    expect(listener.messages.map((m) => m.messageId)).toEqual(['TEXT1']);
  });
});
