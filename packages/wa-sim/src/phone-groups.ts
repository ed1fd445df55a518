import { notifyGroup, participantNode } from './group-notifications.js';
import type { SimGroup } from './sim-group.js';
import type { SimPhone } from './sim-phone.js';

/** `phone` leaves `group`, as from WhatsApp: every member's linked devices (its own too) are told. */
export function leaveGroup(phone: SimPhone, group: SimGroup): void {
  if (!group.has(phone)) throw new Error(`${phone.number} is not a member of ${group.jid}`);
  const gone = participantNode(group, phone);
  group.members.delete(phone.number);
  notifyGroup(group, phone, { tag: 'leave', attrs: {}, content: [gone] }, [phone]);
}

/** `phone` renames `group`, as from WhatsApp (only an admin while the group is locked): the members are told. */
export function renameGroup(phone: SimPhone, group: SimGroup, subject: string): void {
  const member = group.members.get(phone.number);
  if (!member) throw new Error(`${phone.number} is not a member of ${group.jid}`);
  if (group.locked && member.admin === null) throw new Error(`${group.jid} is locked: only admins rename it`);
  group.subject = subject;
  notifyGroup(group, phone, { tag: 'subject', attrs: { subject } });
}
