import { isKirimError, KirimError } from '../errors.js';
import type { Message } from '../messages/message-schemas.js';

// A row the caller's own input failed is stored with this reason, so any process can answer it as a 422.
const INVALID = /^invalid ([A-Za-z_-]+): ([\s\S]*)$/;

// The IQ error codes WhatsApp answers a group's metadata query with when the account cannot send there:
// 403 forbidden (not a participant), 404 item-not-found (no such group); wa-sim says 401 not-authorized.
// Baileys queries the metadata before every group send and throws them as a Boom with the code as `data`.
const GROUP_REFUSALS: Record<number, string> = {
  401: 'the session is not a participant of this group',
  403: 'the session is not a participant of this group',
  404: 'no such group',
};

/** The stored reason of a row failed by its request's `field`: `invalid <field>: <reason>`. */
export function invalidReason(field: string, reason: string): string {
  return `invalid ${field}: ${reason}`;
}

/**
 * The stored reason, when what sending `row` threw is the caller's fault (a `validation` error such as a
 * refused or unfit `media_url`, or WhatsApp refusing a group the session is not in); undefined otherwise.
 * Such a row fails at once: a retry cannot help, and the session's circuit breaker does not count it.
 */
export function callerFault(error: unknown, row: Message): string | undefined {
  if (isKirimError(error, 'validation')) {
    const [field, reasons] = Object.entries(error.details ?? {})[0] ?? ['_', [error.message]];
    return invalidReason(field, reasons.join('; '));
  }
  const { isBoom, data } = (error ?? {}) as { isBoom?: unknown; data?: unknown };
  if (row.chat.endsWith('@g.us') && isBoom === true && typeof data === 'number' && GROUP_REFUSALS[data]) {
    return invalidReason('group_id', GROUP_REFUSALS[data]);
  }
  return undefined;
}

/**
 * The error a send that ended failed answers with: `validation` naming the request's field when its
 * input was at fault, `unavailable` otherwise (WhatsApp refused it, or the device kept failing). Either
 * carries the row as `data`.
 */
export function sendFailedError(result: { status: string; error: string | null }): KirimError {
  const invalid = INVALID.exec(result.error ?? '');
  if (invalid) {
    return new KirimError('validation', `Message not sent: invalid ${invalid[1]}`, { details: { [invalid[1]]: [invalid[2]] }, extra: { data: result } });
  }
  return new KirimError('unavailable', `Message not sent: ${result.error ?? result.status}`, { extra: { data: result } });
}
