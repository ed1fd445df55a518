import type { KirimEvent, KirimEvents } from '../events.js';
import type { Message, MessageStatus } from './message-schemas.js';

/** The `message.status` event of an outgoing message reaching `status` (by default the one it has). */
export function messageStatusEvent(events: KirimEvents, message: Message, status: MessageStatus = message.status): KirimEvent<'message.status'> {
  return events.create('message.status', message.user_id, {
    session_id: message.session_id ?? '',
    id: message.id,
    message_id: message.message_id,
    to: { jid: message.chat, phone: message.peer_phone, lid: message.peer_lid },
    status,
    error: message.error,
  });
}
