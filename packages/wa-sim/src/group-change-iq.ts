import type { BinaryNode } from 'baileys';
import { notifyGroup, participantNode } from './group-notifications.js';
import type { ClientConnection } from './client-connection.js';
import { leaveGroup, renameGroup } from './phone-groups.js';
import { newInviteCode, type SimGroup } from './sim-group.js';
import type { SimPhone } from './sim-phone.js';
import { child, children, contentText, elementChildren, iqError, iqResult } from './stanzas.js';

const PARTICIPANT_ACTIONS = new Set(['add', 'remove', 'promote', 'demote']);
const SETTINGS: Record<string, (group: SimGroup) => void> = {
  announcement: (group) => void (group.announceOnly = true),
  not_announcement: (group) => void (group.announceOnly = false),
  locked: (group) => void (group.locked = true),
  unlocked: (group) => void (group.locked = false),
};

/**
 * `xmlns=w:g2` queries that change a group, as WhatsApp answers them: the subject, description and settings (admins
 * only, the subject and description for anyone while the group is not locked), members added, removed, promoted or
 * demoted with a code per participant (200; 403 the caller is not an admin; 404 a number not on WhatsApp, or not a
 * member; 409 already a member), the invite code got or revoked (admins), and leaving. Each change is notified to the
 * members' linked devices. Undefined for a query that is not one of these.
 */
export function answerGroupChange(
  connection: ClientConnection,
  iq: BinaryNode,
  account: SimPhone,
): BinaryNode | undefined {
  const leave = child(iq, 'leave');
  if (leave) return leaveGroups(connection, iq, account, leave);
  const [action] = elementChildren(iq);
  if (!action || (iq.attrs.type !== 'set' && action.tag !== 'invite')) return undefined;
  const changing = action.tag === 'subject' || action.tag === 'description' || action.tag in SETTINGS;
  if (!changing && !PARTICIPANT_ACTIONS.has(action.tag) && action.tag !== 'invite') return undefined;
  // Accepting an invite by code is asked of `@g.us`, not of a group: not simulated.
  if (action.tag === 'invite' && action.attrs.code) return undefined;

  const group = connection.network.groups.get(iq.attrs.to ?? '');
  if (!group) return iqError(iq, 404, 'item-not-found');
  const self = group.members.get(account.number);
  if (!self) return iqError(iq, 403, 'forbidden');
  const admin = self.admin !== null;

  if (PARTICIPANT_ACTIONS.has(action.tag)) return changeParticipants(connection, iq, group, account, action, admin);
  if (action.tag === 'invite') {
    if (!admin) return iqError(iq, 401, 'not-authorized');
    if (iq.attrs.type === 'set') group.inviteCode = newInviteCode();
    return iqResult(iq, [{ tag: 'invite', attrs: { code: group.inviteCode } }]);
  }
  // A locked group's info is for admins to change, its settings always are.
  if (!admin && (group.locked || action.tag in SETTINGS)) return iqError(iq, 401, 'not-authorized');
  if (action.tag === 'subject') {
    renameGroup(account, group, contentText(action) ?? '');
  } else if (action.tag === 'description') {
    const body = contentText(child(action, 'body'));
    group.description = action.attrs.delete === 'true' || !body ? null : body;
    const id = action.attrs.id ?? `${group.id}-desc`;
    notifyGroup(group, account, {
      tag: 'description',
      attrs: group.description === null ? { id, delete: 'true' } : { id },
      ...(group.description === null ? {} : { content: [{ tag: 'body', attrs: {}, content: Buffer.from(body!) }] }),
    });
  } else {
    SETTINGS[action.tag]!(group);
    notifyGroup(group, account, { tag: action.tag, attrs: {} });
  }
  return iqResult(iq);
}

function changeParticipants(
  connection: ClientConnection,
  iq: BinaryNode,
  group: SimGroup,
  account: SimPhone,
  action: BinaryNode,
  admin: boolean,
): BinaryNode {
  const changed: SimPhone[] = [];
  const answers = children(action, 'participant').map((participant) => {
    const jid = participant.attrs.jid ?? '';
    const phone = connection.network.findAccount(jid);
    const status = participantStatus(group, action.tag, phone, admin);
    if (status === 200 && phone) {
      applyChange(group, action.tag, phone);
      changed.push(phone);
    }
    return { tag: 'participant', attrs: { jid, ...(status === 200 ? {} : { error: String(status) }) } };
  });
  if (changed.length > 0) {
    const removed = action.tag === 'remove' ? changed : [];
    notifyGroup(
      group,
      account,
      { tag: action.tag, attrs: {}, content: changed.map((phone) => participantNode(group, phone)) },
      removed,
    );
  }
  return iqResult(iq, [{ tag: action.tag, attrs: {}, content: answers }]);
}

function participantStatus(group: SimGroup, action: string, phone: SimPhone | undefined, admin: boolean): number {
  if (!admin) return 403;
  if (action === 'add') {
    if (!phone) return 404;
    return group.has(phone) ? 409 : 200;
  }
  if (!phone || !group.has(phone)) return 404;
  // Nobody removes or demotes the group's creator.
  return phone === group.creator && action !== 'promote' ? 403 : 200;
}

function applyChange(group: SimGroup, action: string, phone: SimPhone): void {
  if (action === 'add') group.members.set(phone.number, { phone, admin: null });
  if (action === 'remove') group.members.delete(phone.number);
  const member = group.members.get(phone.number);
  if (member && action === 'promote') member.admin = 'admin';
  if (member && action === 'demote') member.admin = null;
}

function leaveGroups(connection: ClientConnection, iq: BinaryNode, account: SimPhone, leave: BinaryNode): BinaryNode {
  for (const node of children(leave, 'group')) {
    const group = connection.network.groups.get(node.attrs.id ?? '');
    if (group?.has(account)) leaveGroup(account, group);
  }
  return iqResult(iq);
}
