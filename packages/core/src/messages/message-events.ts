import type { KirimEvent, KirimEvents } from '../events.js';
import type { Message, MessageStatus } from './message-schemas.js';

/** A recorded outgoing row, with the statuses it went through in that record. */
export type RecordedRow = { row: Message; steps: MessageStatus[] };

/** The `message.status` event of an outgoing message reaching `status` (by default the one it has). */
export function messageStatusEvent(
  events: KirimEvents,
  message: Message,
  status: MessageStatus = message.status,
): KirimEvent<'message.status'> {
  return events.create('message.status', message.user_id, {
    session_id: message.session_id ?? '',
    id: message.id,
    message_id: message.message_id,
    to: { jid: message.chat, phone: message.peer_phone, lid: message.peer_lid },
    status,
    error: message.error,
    type: message.type,
    ...(status === 'sent' ? { due_at: message.not_before ?? message.created_at } : {}),
  });
}

/** The events of recorded sends: a `message.status` for each status a row went through, and a scheduled row's outcome. */
export function sendEvents(events: KirimEvents, recorded: RecordedRow[]): KirimEvent[] {
  const out: KirimEvent[] = [];
  for (const { row, steps } of recorded) {
    if (row.status === 'queued') continue;
    for (const status of steps) out.push(messageStatusEvent(events, row, status));
    if (row.kind === 'scheduled' && steps[0] === 'sent')
      out.push(
        events.create('scheduled.sent', row.user_id, {
          id: String(row.id),
          message_id: row.message_id,
          to: row.peer_phone ?? row.chat,
        }),
      );
    if (row.kind === 'scheduled' && row.status === 'failed')
      out.push(
        events.create('scheduled.failed', row.user_id, {
          id: String(row.id),
          to: row.peer_phone ?? row.chat,
          error: row.error ?? 'failed',
        }),
      );
  }
  return out;
}
