import { randomBytes } from 'node:crypto';
import type { BinaryNode } from 'baileys';
import type { SimPhone } from './sim-phone.js';

/** How a group addresses its members on the wire: by LID (WhatsApp's default now) or by phone number. */
export type AddressingMode = 'lid' | 'pn';

/** A member of a simulated group. */
export interface SimGroupMember {
  phone: SimPhone;
  admin: 'admin' | 'superadmin' | null;
}

/** A group on the simulated network. */
export class SimGroup {
  readonly members = new Map<string, SimGroupMember>();
  description: string | null = null;
  /** Only admins send messages (`<announcement/>`). */
  announceOnly = false;
  /** Only admins change the group's info (`<locked/>`). */
  locked = false;
  /** What follows `https://chat.whatsapp.com/` in the group's invite link; revoking draws a new one. */
  inviteCode = newInviteCode();
  readonly createdAt = new Date();

  constructor(
    /** The group's JID: `<id>@g.us`. */
    readonly jid: string,
    public subject: string,
    readonly creator: SimPhone,
    readonly addressingMode: AddressingMode = 'lid',
  ) {}

  /** The id part of the JID (what the server writes in `<group id>`). */
  get id(): string {
    return this.jid.split('@')[0]!;
  }

  has(phone: SimPhone): boolean {
    return this.members.has(phone.number);
  }

  /** How a member is addressed in this group (its LID or its phone JID). */
  addressOf(phone: SimPhone): string {
    return this.addressingMode === 'lid' ? phone.lidJid : phone.jid;
  }

  /** The `<group>` node of `w:g2` answers (metadata and the participating list). */
  toNode(): BinaryNode {
    const creation = Math.floor(this.createdAt.getTime() / 1000).toString();
    const content: BinaryNode[] = [...this.members.values()].map(({ phone, admin }) => ({
      tag: 'participant',
      attrs: {
        jid: this.addressOf(phone),
        // The other address rides along, so clients can map LIDs to phone numbers.
        ...(this.addressingMode === 'lid' ? { phone_number: phone.jid } : { lid: phone.lidJid }),
        ...(admin ? { type: admin } : {}),
      },
    }));
    if (this.announceOnly) content.push({ tag: 'announcement', attrs: {} });
    if (this.locked) content.push({ tag: 'locked', attrs: {} });
    if (this.description !== null) {
      content.push({
        tag: 'description',
        attrs: { id: `${this.id}-desc`, participant: this.addressOf(this.creator), t: creation },
        content: [{ tag: 'body', attrs: {}, content: Buffer.from(this.description) }],
      });
    }
    return {
      tag: 'group',
      attrs: {
        id: this.id,
        subject: this.subject,
        s_t: creation,
        s_o: this.addressOf(this.creator),
        creation,
        creator: this.addressOf(this.creator),
        ...(this.addressingMode === 'lid' ? { creator_pn: this.creator.jid } : {}),
        addressing_mode: this.addressingMode,
        size: String(this.members.size),
      },
      content,
    };
  }
}

/** A fresh invite code: 22 URL-safe characters, as WhatsApp's are. */
export function newInviteCode(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}
