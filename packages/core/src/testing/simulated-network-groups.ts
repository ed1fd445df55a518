import { randomBytes } from 'node:crypto';
import type {
  GroupActions,
  GroupChange,
  GroupMetadata,
  GroupRole,
  GroupSettingsChange,
} from '../transport/transport.js';
import { iqError, type Network } from './simulated-network.js';
import type { SimulatedConnection } from './simulated-network-connection.js';
import { parseJid, userJid } from './simulated-network-ids.js';

/** A group on the simulated network; members are phone numbers. */
export interface SimulatedGroup {
  jid: string;
  subject: string;
  description: string | null;
  owner: string;
  participants: string[];
  /** Members who are admins (the owner always is). */
  admins: Set<string>;
  announceOnly: boolean;
  locked: boolean;
  inviteCode: string;
  createdAt: Date;
}

/** A new group of `members` (the owner among them), with its own invite code. */
export function newSimulatedGroup(
  fields: Pick<SimulatedGroup, 'jid' | 'subject' | 'description' | 'owner' | 'participants' | 'createdAt'>,
): SimulatedGroup {
  return {
    ...fields,
    admins: new Set([fields.owner]),
    announceOnly: false,
    locked: false,
    inviteCode: newInviteCode(),
  };
}

/** A group's role for a member. */
export function roleOf(group: SimulatedGroup, number: string): GroupRole {
  if (number === group.owner) return 'superadmin';
  return group.admins.has(number) ? 'admin' : 'member';
}

/**
 * The group actions of `connection`'s linked phone, answering as WhatsApp does: IQ errors as Baileys throws them (404
 * no such group, 403 not a member, 401 not an admin), a status per participant (404 not on WhatsApp for an add, not
 * a member otherwise; 403 not an admin; 409 a member already), and every member's sessions told of each change.
 */
export function simulatedGroups(network: Network, connection: SimulatedConnection): GroupActions {
  const member = (jid: string) => {
    const me = connection.linkedPhone();
    const group = network.groups.get(jid);
    if (!group) throw iqError('item-not-found', 404);
    if (!group.participants.includes(me.number)) throw iqError('forbidden', 403);
    return { me: me.number, group };
  };
  const admin = (jid: string) => {
    const found = member(jid);
    if (!found.group.admins.has(found.me)) throw iqError('not-authorized', 401);
    return found;
  };
  const metadata = (group: SimulatedGroup): GroupMetadata => {
    const info = network.groupInfo(group);
    return {
      ...info,
      participants: info.participants.map((p) => ({ ...p, role: roleOf(group, p.phone!) })),
      announceOnly: group.announceOnly,
      locked: group.locked,
    };
  };
  // The members are told, and those a change removed.
  const tell = (group: SimulatedGroup, also: string[], change: GroupChange) =>
    tellGroup(network, [...group.participants, ...also], change);
  const peer = (number: string) => ({ jid: userJid(number), phone: number, lid: network.account(number).lid });
  const by = (group: SimulatedGroup) => ({ group: group.jid, author: peer(connection.linkedPhone().number) });

  return {
    async list() {
      return network.groupsOf(connection.linkedPhone());
    },

    async create(subject, participants) {
      const owner = connection.linkedPhone().number;
      const numbers = participants.flatMap((jid) => {
        const phone = phoneOf(jid);
        return phone && network.lookUp(phone).exists ? [phone] : [];
      });
      const info = network.createGroup({ subject, owner, participants: numbers });
      return metadata(network.groups.get(info.jid)!);
    },

    async metadata(jid) {
      return metadata(member(jid).group);
    },

    async update(jid, change) {
      const { group } = member(jid);
      // A locked group's info is for admins to change; anyone may otherwise.
      if (group.locked || change.announceOnly !== undefined || change.locked !== undefined) admin(jid);
      const applied: GroupSettingsChange = {};
      if (change.subject !== undefined) group.subject = applied.subject = change.subject;
      if (change.description !== undefined) group.description = applied.description = change.description || null;
      if (change.announceOnly !== undefined) group.announceOnly = applied.announceOnly = change.announceOnly;
      if (change.locked !== undefined) group.locked = applied.locked = change.locked;
      // WhatsApp tells each change as its own notification.
      for (const [key, value] of Object.entries(applied))
        tell(group, [], { ...by(group), kind: 'settings', [key]: value });
    },

    async updateParticipants(jid, action, participants) {
      const { group, me } = member(jid);
      const isAdmin = group.admins.has(me);
      const done: string[] = [];
      const statuses = participants.map((target) => {
        const number = phoneOf(target);
        const status = participantStatus(group, action, number, isAdmin, (n) => network.lookUp(n).exists);
        if (status === 200 && number) {
          apply(group, action, number);
          done.push(number);
        }
        return { jid: target, status };
      });
      if (done.length > 0)
        tell(group, action === 'remove' ? done : [], {
          ...by(group),
          kind: 'participants',
          action,
          participants: done.map(peer),
        });
      return statuses;
    },

    async inviteCode(jid) {
      return admin(jid).group.inviteCode;
    },

    async revokeInvite(jid) {
      const { group } = admin(jid);
      group.inviteCode = newInviteCode();
      return group.inviteCode;
    },

    async leave(jid) {
      const { group, me } = member(jid);
      const change: GroupChange = {
        ...by(group),
        kind: 'participants',
        action: 'remove',
        participants: [peer(me)],
      };
      apply(group, 'remove', me);
      tell(group, [me], change);
    },
  };
}

/** What a member does to a group from its phone: leave it, or rename it. */
export type MemberGroupChange = { leave: true } | { subject: string };

/** A member's phone changes a group (see {@link MemberGroupChange}); every member's sessions (and the leaver's) are told. */
export function memberChangesGroup(network: Network, jid: string, number: string, change: MemberGroupChange): void {
  const group = network.groups.get(jid);
  if (!group?.participants.includes(number)) throw new Error(`${number} is not a member of ${jid}`);
  const author = { jid: userJid(number), phone: number, lid: network.account(number).lid };
  if ('leave' in change) {
    apply(group, 'remove', number);
    const left: GroupChange = { group: jid, author, kind: 'participants', action: 'remove', participants: [author] };
    return tellGroup(network, [...group.participants, number], left);
  }
  if (group.locked && !group.admins.has(number)) throw new Error(`${jid} is locked: only admins rename it`);
  group.subject = change.subject;
  tellGroup(network, group.participants, { group: jid, author, kind: 'settings', subject: change.subject });
}

/** Tells every session linked to one of these members (numbers) of a change to their group. */
function tellGroup(network: Network, numbers: string[], change: GroupChange): void {
  for (const number of new Set(numbers))
    for (const record of network.recordsOf(network.account(number))) network.notify(record, { kind: 'group', change });
}

/** WhatsApp's status code for one participant of a change. */
function participantStatus(
  group: SimulatedGroup,
  action: 'add' | 'remove' | 'promote' | 'demote',
  number: string | null,
  isAdmin: boolean,
  onWhatsApp: (number: string) => boolean,
): number {
  if (!isAdmin) return 403;
  const isMember = number !== null && group.participants.includes(number);
  if (action === 'add') {
    if (number === null || !onWhatsApp(number)) return 404;
    return isMember ? 409 : 200;
  }
  if (!isMember) return 404;
  // Nobody removes or demotes the group's creator.
  return number === group.owner && action !== 'promote' ? 403 : 200;
}

function apply(group: SimulatedGroup, action: 'add' | 'remove' | 'promote' | 'demote', number: string): void {
  if (action === 'add') group.participants.push(number);
  if (action === 'remove') {
    group.participants = group.participants.filter((n) => n !== number);
    group.admins.delete(number);
  }
  if (action === 'promote') group.admins.add(number);
  if (action === 'demote') group.admins.delete(number);
}

function phoneOf(jid: string): string | null {
  const parsed = parseJid(jid);
  return parsed?.kind === 'user' ? parsed.phone : null;
}

function newInviteCode(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}
