import type { BaileysEventMap, GroupMetadata as BaileysGroupMetadata, WASocket } from 'baileys';
import type {
  GroupActions,
  GroupChange,
  GroupMetadata,
  GroupPeer,
  GroupSettingsChange,
  ParticipantAction,
} from '../transport.js';
import { addressesOf, isLidJid, isPhoneJid, toGroupInfo, userOf, withoutDevice } from './message-mapping.js';

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

/** A member change Baileys reported (`group-participants.update`) as the port's change; null for other actions. */
export function participantsChange(update: BaileysEventMap['group-participants.update']): GroupChange | null {
  const action = update.action as string;
  if (!PARTICIPANT_ACTIONS.has(action)) return null;
  return {
    group: update.id,
    author: peerOf(update.author, update.authorPn),
    kind: 'participants',
    action: action as ParticipantAction,
    participants: update.participants.map((p) => ({ jid: p.id, ...addressesOf(p.id, p.phoneNumber, p.lid) })),
  };
}

/** Group info changes Baileys reported (`groups.update`) as the port's changes: those naming a subject, description or setting. */
export function settingsChanges(updates: BaileysEventMap['groups.update']): GroupChange[] {
  return updates.flatMap((update) => {
    const change: GroupSettingsChange = {
      ...(update.subject !== undefined ? { subject: update.subject } : {}),
      ...('desc' in update ? { description: update.desc ?? null } : {}),
      ...(update.announce !== undefined ? { announceOnly: update.announce } : {}),
      ...(update.restrict !== undefined ? { locked: update.restrict } : {}),
    };
    // The participating list also comes as groups.update, whole: not a change anyone made.
    if (!update.id || Object.keys(change).length === 0 || update.participants) return [];
    const author = peerOf(update.author, (update as { authorPn?: string }).authorPn);
    return [{ group: update.id, author, kind: 'settings' as const, ...change }];
  });
}

const PARTICIPANT_ACTIONS = new Set<string>(['add', 'remove', 'promote', 'demote']);

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
  const pn =
    named ??
    (await sock.signalRepository.lidMapping.getPNForLID(lid).catch(() => null)) ??
    (await sock.groupMetadata(change.group).catch(() => undefined))?.participants.find((p) => p.id === lid)
      ?.phoneNumber;
  return pn ? { ...change, author: { ...author, phone: userOf(pn) } } : change;
}

function required(code: string | undefined, what: string): string {
  if (!code) throw new Error(`WhatsApp answered no ${what}`);
  return code;
}

/** Wraps an event handler so that only the current socket's events are handled, and failures contained. */
type LiveHandler = <A extends unknown[]>(name: string, handler: (...args: A) => unknown) => (...args: A) => void;

/** Reports the socket's group events (members changed, info or settings changed) to `report` as the port's changes. */
export function reportGroupEvents(sock: WASocket, live: LiveHandler, report: (change: GroupChange) => void): void {
  // Authors are looked up concurrently, but the changes are reported in the order WhatsApp sent them: an add and a
  // remove of one member applied the other way round would leave the saved group wrong.
  let reported = Promise.resolve();
  const inOrder = (changes: GroupChange[]) => {
    const resolved = Promise.all(changes.map((change) => withAuthorPhone(sock, change)));
    reported = reported.then(async () => (await resolved).forEach(report));
    return reported;
  };
  sock.ev.on(
    'group-participants.update',
    live('group-participants.update', (update: BaileysEventMap['group-participants.update']) =>
      inOrder([participantsChange(update)].flatMap((change) => change ?? [])),
    ),
  );
  sock.ev.on(
    'groups.update',
    live('groups.update', (updates: BaileysEventMap['groups.update']) => inOrder(settingsChanges(updates))),
  );
}
