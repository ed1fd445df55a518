import type { WAMessage, WASocket } from 'baileys';
import { makeEventBuffer, WAMessageStubType } from 'baileys';
import { describe, expect, it } from 'vitest';
import type { GroupChange } from '../transport.js';
import { toBaileysLogger } from './baileys-logger.js';
import { reportGroupEvents } from './baileys-groups.js';
import { silentLogger } from '../../logger.js';

const group = '120363000000000001@g.us';
const renamerLid = '100000000000002@lid';
const leaverLid = '100000000000003@lid';

/** Runs a handler as BaileysConnection's `live` does (for the current socket), rejections surfacing in the test. */
const live =
  <A extends unknown[]>(_name: string, handler: (...args: A) => unknown) =>
  (...args: A) =>
    void handler(...args);

/** The stub message Baileys upserts for a group notification, by `author`. */
function stub(id: string, author: string, type: number, parameters: string[]): WAMessage {
  return {
    key: { remoteJid: group, id, fromMe: false, participant: author },
    messageStubType: type,
    messageStubParameters: parameters,
  };
}

/** Baileys' socket as the group events read it: its own event buffer, and a LID mapping store `getPNForLID`. */
function socketWith(getPNForLID: (lid: string) => Promise<string | null> | null) {
  const ev = makeEventBuffer(toBaileysLogger(silentLogger));
  const sock = {
    ev,
    signalRepository: { lidMapping: { getPNForLID } },
    groupMetadata: () => Promise.reject(new Error('not asked')),
  } as unknown as WASocket;
  const reported: GroupChange[] = [];
  reportGroupEvents(sock, WAMessageStubType, live, (change) => reported.push(change));
  return { ev, reported };
}

const rename = (id: string, subject: string) => stub(id, renamerLid, WAMessageStubType.GROUP_CHANGE_SUBJECT, [subject]);
const leave = (id: string) =>
  stub(id, leaverLid, WAMessageStubType.GROUP_PARTICIPANT_LEAVE, [
    JSON.stringify({ id: leaverLid, phoneNumber: '15550003333@s.whatsapp.net' }),
  ]);

describe('reportGroupEvents', () => {
  it('reports group changes in the order WhatsApp sent them, though an earlier author takes longer to look up', async () => {
    let answerLookup: (pn: string) => void = () => undefined;
    const lookup = new Promise<string>((resolve) => (answerLookup = resolve));
    const { ev, reported } = socketWith((lid) => (lid === renamerLid ? lookup : null));

    ev.emit('messages.upsert', { messages: [rename('A1', 'Baru')], type: 'append' });
    ev.emit('messages.upsert', { messages: [leave('A2')], type: 'append' });
    // The leave's author is known at once (they are the member who left); it waits for the rename before it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toEqual([]);

    answerLookup('15550002222:0@s.whatsapp.net');
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported.map((change) => [change.kind, change.author?.phone])).toEqual([
      ['settings', '15550002222'],
      ['participants', '15550003333'],
    ]);
    expect(reported[1]).toMatchObject({ action: 'remove', participants: [{ phone: '15550003333', lid: leaverLid }] });
  });

  it("reports every change of a group Baileys' event buffer holds at once, where its groups.update keeps only the first", async () => {
    const { ev, reported } = socketWith(async () => '15550002222@s.whatsapp.net');
    const groupUpdates: unknown[] = [];
    ev.on('groups.update', (updates) => groupUpdates.push(...updates));
    ev.buffer();
    // As Baileys processes the notifications: the stub message, then the groups.update it derives from it.
    for (const [id, subject] of [
      ['B1', 'Satu'],
      ['B2', 'Dua'],
    ]) {
      ev.emit('messages.upsert', { messages: [rename(id, subject)], type: 'append' });
      ev.emit('groups.update', [{ id: group, subject, author: renamerLid }]);
    }
    ev.flush();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(groupUpdates).toHaveLength(1);
    expect(reported.map((change) => change.kind === 'settings' && change.subject)).toEqual(['Satu', 'Dua']);
  });

  it('reads a cleared description, the announce and locked settings and a promotion; ignores messages that are no group change', async () => {
    const { ev, reported } = socketWith(async () => null);
    const admin = JSON.stringify({ id: leaverLid, phoneNumber: '15550003333@s.whatsapp.net' });
    ev.emit('messages.upsert', {
      messages: [
        stub('C1', renamerLid, WAMessageStubType.GROUP_CHANGE_DESCRIPTION, []),
        stub('C2', renamerLid, WAMessageStubType.GROUP_CHANGE_ANNOUNCE, ['on']),
        stub('C3', renamerLid, WAMessageStubType.GROUP_CHANGE_RESTRICT, ['off']),
        stub('C4', renamerLid, WAMessageStubType.GROUP_PARTICIPANT_PROMOTE, [admin]),
        { key: { remoteJid: group, id: 'C5', participant: renamerLid }, message: { conversation: 'hi' } },
        {
          ...stub('C6', renamerLid, WAMessageStubType.GROUP_CHANGE_SUBJECT, ['x']),
          key: { remoteJid: '1@s.whatsapp.net' },
        },
      ],
      type: 'append',
    });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported.map(({ group: _group, author: _author, ...change }) => change)).toEqual([
      { kind: 'settings', description: null },
      { kind: 'settings', announceOnly: true },
      { kind: 'settings', locked: false },
      {
        kind: 'participants',
        action: 'promote',
        participants: [{ jid: leaverLid, phone: '15550003333', lid: leaverLid }],
      },
    ]);
  });
});
