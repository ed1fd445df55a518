/** The group types of the WhatsApp port (`Connection.groups` and `TransportListener.onGroupChange`), re-exported by it. */
import type { GroupInfo } from './transport.js';

/** A group member's standing: the `superadmin` created the group. */
export type GroupRole = 'superadmin' | 'admin' | 'member';

/** A group's live metadata: its members with their roles, and its settings. */
export interface GroupMetadata extends GroupInfo {
  participants: Array<GroupInfo['participants'][number] & { role: GroupRole }>;
  /** Only admins send messages. */
  announceOnly: boolean;
  /** Only admins edit the group's subject, description and settings. */
  locked: boolean;
}

/** What is done to members of a group. */
export type ParticipantAction = 'add' | 'remove' | 'promote' | 'demote';

/** WhatsApp's answer for one participant of a change, as a status code (200 done, 403 refused, 409 a member already...). */
export interface ParticipantStatus {
  jid: string;
  status: number;
}

/** A group's info and settings to change; absent fields stay, a null description clears it. */
export interface GroupSettingsChange {
  subject?: string;
  description?: string | null;
  announceOnly?: boolean;
  locked?: boolean;
}

/** A change to a group the linked account is in, made by a member (`author`, null when unknown) or by the account itself. */
export type GroupChange = { group: string; author: GroupPeer | null } & (
  | { kind: 'participants'; action: ParticipantAction; participants: GroupPeer[] }
  | ({ kind: 'settings' } & GroupSettingsChange)
);

/** A member named by a group change: its JID as the group addresses it, and its phone number and LID where known. */
export interface GroupPeer {
  jid: string;
  phone: string | null;
  lid: string | null;
}
