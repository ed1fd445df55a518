import type { BinaryNode, WASocket } from 'baileys';
import { isGroupJid } from '../../contacts/phone.js';
import type { ContactPresence, PresenceState } from '../transport.js';
import type { LiveHandler } from './contained-calls.js';
import { phoneOf, withoutDevice } from './message-mapping.js';

/**
 * A presence stanza as the port's presence: `presence` (availability, with when last seen) or `chatstate` (typing,
 * recording a voice note, or stopped, in a chat or a group). Read from the stanzas, not Baileys' `presence.update`,
 * which tells a stop (`paused`) as `available`. Null for what is neither (a group's online count, a subscribe).
 */
function contactPresence(node: BinaryNode): Omit<ContactPresence, 'fromPhone'> | null {
  if (!node.attrs.from) return null;
  const chat = withoutDevice(node.attrs.from);
  if (node.tag === 'presence') {
    const state = node.attrs.type ?? 'available';
    if ((state !== 'available' && state !== 'unavailable') || isGroupJid(chat)) return null;
    const last = Number(node.attrs.last);
    return { chat, from: chat, state, lastSeen: state === 'unavailable' && last > 0 ? new Date(last * 1000) : null };
  }
  const shown = Array.isArray(node.content) ? node.content[0] : undefined;
  const state: PresenceState | null =
    shown?.tag === 'paused'
      ? 'paused'
      : shown?.tag === 'composing'
        ? shown.attrs.media === 'audio'
          ? 'recording'
          : 'composing'
        : null;
  if (!state) return null;
  return { chat, from: withoutDevice(node.attrs.participant ?? chat), state, lastSeen: null };
}

/** Reports contacts' presences and chat states on the socket to `report`, with their phone numbers where known. */
export function reportPresences(sock: WASocket, live: LiveHandler, report: (presence: ContactPresence) => void): void {
  const handle = async (node: BinaryNode) => {
    const presence = contactPresence(node);
    if (!presence) return;
    report({ ...presence, fromPhone: await phoneOf(sock, presence.from) });
  };
  sock.ws.on('CB:presence', live('presence', handle));
  sock.ws.on('CB:chatstate', live('chatstate', handle));
}
