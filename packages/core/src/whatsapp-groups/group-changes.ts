import type { Clock } from '../clock.js';
import type { KirimEvents } from '../events.js';
import type { Storage } from '../storage/storage.js';
import type { GroupChange } from '../transport/transport.js';
import type { WhatsappGroup } from './whatsapp-group-schemas.js';

/**
 * Records a change to a group one of a user's sessions is in: the session's saved copy (if it saved the group) is
 * brought up to date, and `group.participants` or `group.update` is published.
 */
export async function recordGroupChange(
  deps: { storage: Storage; clock: Clock; events: KirimEvents },
  session: { id: string; userId: string },
  change: GroupChange,
): Promise<void> {
  const saved = await deps.storage.whatsappGroups.findByJid(session.id, change.group);
  if (saved)
    await deps.storage.whatsappGroups.update({ ...applied(saved, change), updated_at: deps.clock.now().toISOString() });
  const common = { session_id: session.id, group_id: change.group, author: change.author };
  if (change.kind === 'participants') {
    await deps.events.publish('group.participants', session.userId, {
      ...common,
      action: change.action,
      participants: change.participants,
    });
    return;
  }
  await deps.events.publish('group.update', session.userId, {
    ...common,
    ...(change.subject !== undefined ? { subject: change.subject } : {}),
    ...(change.description !== undefined ? { description: change.description } : {}),
    ...(change.announceOnly !== undefined ? { announce_only: change.announceOnly } : {}),
    ...(change.locked !== undefined ? { locked: change.locked } : {}),
  });
}

/** The saved group with the change applied (the saved copy keeps members and who is an admin, not the settings). */
function applied(group: WhatsappGroup, change: GroupChange): WhatsappGroup {
  if (change.kind === 'settings') {
    return {
      ...group,
      subject: change.subject ?? group.subject,
      description: change.description !== undefined ? change.description : group.description,
    };
  }
  type Member = WhatsappGroup['participants'][number];
  const same = (p: Member, c: (typeof change.participants)[number]) =>
    c.jid === p.jid || (c.phone !== null && c.phone === p.phone) || (c.lid !== null && c.lid === p.lid);
  const named = (p: Member) => change.participants.some((c) => same(p, c));
  let participants = group.participants;
  if (change.action === 'add')
    participants = [
      ...participants,
      ...change.participants
        .filter((c) => !participants.some((p) => same(p, c)))
        .map((c) => ({ jid: c.jid, phone: c.phone, lid: c.lid, admin: false })),
    ];
  if (change.action === 'remove') participants = participants.filter((p) => !named(p));
  if (change.action === 'promote' || change.action === 'demote')
    participants = participants.map((p) => (named(p) ? { ...p, admin: change.action === 'promote' } : p));
  return { ...group, participants, participants_count: participants.length };
}
