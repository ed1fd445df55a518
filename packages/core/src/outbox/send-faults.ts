import { isGroupJid } from '../contacts/phone.js';
import { isKirimError, KirimError } from '../errors.js';
import type { Message } from '../messages/message-schemas.js';
import { iqErrorCode } from '../transport/iq-error.js';

/** The request fields a send can fail by once queued: the media it names, the group it goes to. */
export type InputField = 'media_url' | 'group_id' | 'message_id';

// A row the caller's own input failed is stored as `invalid_input:<field>: <reason>` (an edit held past WhatsApp's
// window as `edit_window_closed:message_id: <reason>`), beside the
// `not_on_whatsapp:` and `opted_out:` reasons, so any process can answer it as a 422 naming the field.
const INVALID_INPUT = /^(invalid_input|edit_window_closed):(media_url|group_id|message_id): ([\s\S]*)$/;

// The IQ error codes WhatsApp answers a group's metadata query with when the account cannot send there:
// 403 forbidden (not a participant), 404 item-not-found (no such group); wa-sim says 401 not-authorized.
// Baileys queries the metadata before every group send and throws them as a Boom with the code as `data`.
const GROUP_REFUSALS: Record<number, string> = {
  401: 'the session is not a participant of this group',
  403: 'the session is not a participant of this group',
  404: 'no such group',
};

/** The stored reason of a row failed by its request's `field`: `invalid_input:<field>: <reason>`. */
export function invalidInput(field: InputField, reason: string): string {
  return `invalid_input:${field}: ${reason}`;
}

/**
 * The stored reason, when what sending `row` threw is the caller's fault; undefined otherwise. Before
 * WhatsApp is asked only the media is loaded, so a `validation` error then is about `media_url` (refused,
 * no such host, a 4xx, too large, not its kind), or for an action on a message about its `message_id` (deleted
 * since; an edit held past WhatsApp's window keeps its code); once asked, WhatsApp refusing a group the session is
 * not in is about `group_id`. Such a row fails at once: a retry cannot help, and the breaker does not count it.
 */
export function callerFault(error: unknown, row: Message, reachedWhatsApp: boolean): string | undefined {
  if (!reachedWhatsApp) {
    if (!isKirimError(error, 'validation') && !isKirimError(error, 'edit_window_closed')) return undefined;
    const reasons = Object.values(error.details ?? {}).flat();
    const reason = (reasons.length > 0 ? reasons : [error.message]).join('; ');
    if (error.code === 'edit_window_closed') return `edit_window_closed:message_id: ${reason}`;
    return invalidInput(row.content && 'message_id' in row.content ? 'message_id' : 'media_url', reason);
  }
  const code = iqErrorCode(error);
  if (isGroupJid(row.chat) && code !== undefined && GROUP_REFUSALS[code]) {
    return invalidInput('group_id', GROUP_REFUSALS[code]);
  }
  return undefined;
}

/**
 * The error a send that ended failed answers with: `validation` (or `edit_window_closed`) naming the request's
 * field when its input was at fault, `unavailable` otherwise (WhatsApp refused it, or the device kept failing).
 * Either carries the row as `data`.
 */
export function sendFailedError(result: { status: string; error: string | null }): KirimError {
  const invalid = INVALID_INPUT.exec(result.error ?? '');
  if (invalid) {
    const [, kind, field, reason] = invalid;
    return new KirimError(
      kind === 'invalid_input' ? 'validation' : 'edit_window_closed',
      `Message not sent: invalid ${field}`,
      {
        details: { [field]: [reason] },
        extra: { data: result },
      },
    );
  }
  return new KirimError('unavailable', `Message not sent: ${result.error ?? result.status}`, {
    extra: { data: result },
  });
}
