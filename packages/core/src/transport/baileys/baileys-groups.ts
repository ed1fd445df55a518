import type { BaileysEventMap, GroupMetadata as BaileysGroupMetadata, WAMessage, WASocket } from 'baileys';
import { isGroupJid } from '../../contacts/phone.js';
import type {
  GroupActions,
  GroupChange,
  GroupMetadata,
  GroupPeer,
  GroupSettingsChange,
  ParticipantAction,
} from '../transport.js';
import type { BaileysModule } from './baileys-module.js';
import type { LiveHandler } from './contained-calls.js';
import { addressesOf, isLidJid, isPhoneJid, phoneOf, toGroupInfo, userOf, withoutDevice } from './message-mapping.js';

/** A group's metadata as the port describes it: each member's role, and the announce-only and locked settings. */
export function toGroupMetadata(group: BaileysGroupMetadata): GroupMetadata {
  const info = toGroupInfo(group);
  return {
    ...info,
    participants: info.participants.map((participant, index) => ({
      ...participant,
      role: group.participants[index]?.admin ?? 'member',
    })),
    announceOnly: !!group.announce,
    locked: !!group.restrict,
  };
}

/** The port's group actions over the socket `socket()` returns (it throws while the link is not open). */
export function baileysGroups(socket: () => WASocket): GroupActions {
  return {
    list: async () => Object.values(await socket().groupFetchAllParticipating()).map(toGroupInfo),
    create: async (subject, participants) => toGroupMetadata(await socket().groupCreate(subject, participants)),
    metadata: async (group) => toGroupMetadata(await socket().groupMetadata(group)),
    async update(group, change) {
      const sock = socket();
      if (change.subject !== undefined) await sock.groupUpdateSubject(group, change.subject);
      // Baileys clears the description for an empty one.
      if (change.description !== undefined) await sock.groupUpdateDescription(group, change.description ?? undefined);
      if (change.announceOnly !== undefined)
        await sock.groupSettingUpdate(group, change.announceOnly ? 'announcement' : 'not_announcement');
      if (change.locked !== undefined) await sock.groupSettingUpdate(group, change.locked ? 'locked' : 'unlocked');
    },
    async updateParticipants(group, action, participants) {
      const answers = await socket().groupParticipantsUpdate(group, participants, action);
      return answers.map((answer) => ({ jid: answer.jid ?? '', status: Number(answer.status) }));
    },
    inviteCode: async (group) => required(await socket().groupInviteCode(group), 'invite code'),
    revokeInvite: async (group) => required(await socket().groupRevokeInvite(group), 'new invite code'),
    leave: async (group) => socket().groupLeave(group),
  };
}

type StubTypes = BaileysModule['WAMessageStubType'];
type StubReader = (values: string[]) => GroupSettingsChange | MembersChange | null;
type MembersChange = { action: ParticipantAction; participants: GroupPeer[] };

/** What each group notification Baileys turns into a stub message says, by stub type. */
function stubReaders(Stub: StubTypes): Map<number, StubReader> {
  const members =
    (action: ParticipantAction): StubReader =>
    (values) => ({ action, participants: values.map(memberOf) });
  const on = (value: string | undefined) => value === 'on' || value === 'true';
  return new Map<number, StubReader>([
    [Stub.GROUP_PARTICIPANT_ADD, members('add')],
    [Stub.GROUP_PARTICIPANT_INVITE, members('add')],
    [Stub.GROUP_PARTICIPANT_ADD_REQUEST_JOIN, members('add')],
    [Stub.GROUP_PARTICIPANT_REMOVE, members('remove')],
    [Stub.GROUP_PARTICIPANT_LEAVE, members('remove')],
    [Stub.GROUP_PARTICIPANT_PROMOTE, members('promote')],
    [Stub.GROUP_PARTICIPANT_DEMOTE, members('demote')],
    [Stub.GROUP_CHANGE_SUBJECT, ([subject]) => (subject === undefined ? null : { subject })],
    [Stub.GROUP_CHANGE_DESCRIPTION, ([description]) => ({ description: description ?? null })],
    [Stub.GROUP_CHANGE_ANNOUNCE, ([value]) => ({ announceOnly: on(value) })],
    [Stub.GROUP_CHANGE_RESTRICT, ([value]) => ({ locked: on(value) })],
  ]);
}

/** A member as a stub message names it: Baileys' participant, as JSON. */
function memberOf(value: string): GroupPeer {
  const member = JSON.parse(value) as { id: string; phoneNumber?: string; lid?: string };
  return { jid: member.id, ...addressesOf(member.id, member.phoneNumber, member.lid) };
}

/**
 * The group change a message stands for: Baileys turns each group notification into a stub message naming who made
 * it; null for any other message. Read from `messages.upsert` rather than `groups.update`: Baileys' event buffer
 * keeps only the first `groups.update` of a group per flush (7.0.0-rc14, still so upstream), losing a rename that
 * follows another change milliseconds later, where each stub message is kept.
 */
function groupChangeOf(readers: Map<number, StubReader>, message: WAMessage): GroupChange | null {
  const group = message.key.remoteJid;
  const read = message.messageStubType ? readers.get(message.messageStubType) : undefined;
  if (!group || !isGroupJid(group) || !read) return null;
  const change = read(message.messageStubParameters ?? []);
  if (!change) return null;
  const author = peerOf(message.key.participant, (message.key as { participantAlt?: string }).participantAlt);
  return 'action' in change
    ? { group, author, kind: 'participants', ...change }
    : { group, author, kind: 'settings', ...change };
}

/** Who made a change: its JID, with the alternate address Baileys gave (it gives none for a LID in 7.0.0-rc14). */
function peerOf(jid: string | null | undefined, alternative: string | null | undefined): GroupPeer | null {
  if (!jid) return null;
  const alt = {
    phoneJid: isPhoneJid(alternative) ? alternative : null,
    lid: isLidJid(alternative) ? alternative : null,
  };
  return { jid: withoutDevice(jid), ...addressesOf(jid, alt.phoneJid, alt.lid) };
}

/**
 * The change with its author's phone number where Baileys named the author by LID alone: from the members the change
 * names (one who left), Baileys' LID mapping store, or else the group's metadata (WhatsApp lists each member's number).
 */
async function withAuthorPhone(sock: WASocket, change: GroupChange): Promise<GroupChange> {
  const author = change.author;
  if (!author?.lid || author.phone) return change;
  const lid = author.lid;
  const named = change.kind === 'participants' ? change.participants.find((p) => p.lid === lid)?.phone : undefined;
  // Either lookup may fail (the account just left: WhatsApp answers no metadata); the number then stays unknown.
  const phone = named ?? (await phoneOf(sock, lid)) ?? (await listedPhone(sock, change.group, lid));
  return phone ? { ...change, author: { ...author, phone } } : change;
}

/** The number WhatsApp's metadata of `group` lists for the member `lid`, if it answers. */
async function listedPhone(sock: WASocket, group: string, lid: string): Promise<string | null> {
  const member = (await sock.groupMetadata(group).catch(() => undefined))?.participants.find((p) => p.id === lid);
  return member?.phoneNumber ? userOf(member.phoneNumber) : null;
}

function required(code: string | undefined, what: string): string {
  if (!code) throw new Error(`WhatsApp answered no ${what}`);
  return code;
}

/** Reports the socket's group events (members changed, info or settings changed) to `report` as the port's changes. */
export function reportGroupEvents(
  sock: WASocket,
  Stub: StubTypes,
  live: LiveHandler,
  report: (change: GroupChange) => void,
): void {
  // Authors are looked up concurrently, but the changes are reported in the order WhatsApp sent them: an add and a
  // remove of one member applied the other way round would leave the saved group wrong.
  let reported = Promise.resolve();
  const readers = stubReaders(Stub);
  sock.ev.on(
    'messages.upsert',
    live('messages.upsert', ({ messages }: BaileysEventMap['messages.upsert']) => {
      const changes = messages.flatMap((message) => groupChangeOf(readers, message) ?? []);
      if (changes.length === 0) return;
      const resolved = Promise.all(changes.map((change) => withAuthorPhone(sock, change)));
      const done = reported.then(async () => (await resolved).forEach(report));
      // A report that failed (and was logged) never holds back the ones after it.
      reported = done.catch(() => undefined);
      return done;
    }),
  );
}
