import { EventEmitter } from 'node:events';
import type { WASocket } from 'baileys';
import { describe, expect, it } from 'vitest';
import type { GroupChange } from '../transport.js';
import { reportGroupEvents } from './baileys-groups.js';

const group = '120363000000000001@g.us';
const renamerLid = '100000000000002@lid';
const leaverLid = '100000000000003@lid';

/** Runs a handler as BaileysConnection's `live` does (for the current socket), rejections surfacing in the test. */
const live =
  <A extends unknown[]>(_name: string, handler: (...args: A) => unknown) =>
  (...args: A) =>
    void handler(...args);

describe('reportGroupEvents', () => {
  it('reports group changes in the order WhatsApp sent them, though an earlier author takes longer to look up', async () => {
    let answerLookup: (pn: string) => void = () => undefined;
    const lookup = new Promise<string>((resolve) => (answerLookup = resolve));
    // Baileys' socket as the group events read it: its event emitter and LID mapping store (slow for the renamer).
    const sock = {
      ev: new EventEmitter(),
      signalRepository: { lidMapping: { getPNForLID: (lid: string) => (lid === renamerLid ? lookup : null) } },
      groupMetadata: () => Promise.reject(new Error('not asked')),
    } as unknown as WASocket;
    const reported: GroupChange[] = [];
    reportGroupEvents(sock, live, (change) => reported.push(change));

    sock.ev.emit('groups.update', [{ id: group, subject: 'Baru', author: renamerLid }]);
    sock.ev.emit('group-participants.update', {
      id: group,
      author: leaverLid,
      action: 'remove',
      participants: [{ id: leaverLid, phoneNumber: '15550003333@s.whatsapp.net' }],
    });
    // The leave's author is known at once (they are the member who left); it waits for the rename before it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toEqual([]);

    answerLookup('15550002222:0@s.whatsapp.net');
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported.map((change) => [change.kind, change.author?.phone])).toEqual([
      ['settings', '15550002222'],
      ['participants', '15550003333'],
    ]);
  });
});
