import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import type { SimPhone } from './sim-phone.js';
import { child, newMessageId, unixTime } from './stanzas.js';

/** A call a phone placed, as the network saw it. */
export interface PhoneCall {
  callId: string;
  /** The account called. */
  to: SimPhone;
  video: boolean;
  /** The linked device that rejected it (`<number>:<device>@s.whatsapp.net`), or null while no device did. */
  rejectedBy: string | null;
}

/**
 * `caller` rings `callee`: each of the callee's linked devices gets a `call` stanza holding an `offer`, as
 * WhatsApp sends it (Baileys reads it as a `call` event with status `offer`). Resolves with the call's id.
 */
export function placeCall(caller: SimPhone, callee: SimPhone, options: { video?: boolean } = {}): string {
  const callId = newMessageId();
  const video = options.video ?? false;
  caller.calls.set(callId, { callId, to: callee, video, rejectedBy: null });
  const offer: BinaryNode = {
    tag: 'offer',
    attrs: { 'call-id': callId, 'call-creator': caller.jid, caller_pn: caller.jid },
    content: [
      { tag: 'audio', attrs: { enc: 'opus', rate: '16000' } },
      ...(video ? [{ tag: 'video', attrs: { enc: 'vp8' } }] : []),
    ],
  };
  for (const device of callee.devices.values())
    device.deliver({ tag: 'call', attrs: { from: caller.jid, id: newMessageId(), t: unixTime() }, content: [offer] });
  return callId;
}

/**
 * A linked device's `call` stanza: a `reject` is recorded on the caller's call and acknowledged (`ack class=call`,
 * which Baileys' rejectCall waits for by the stanza's id).
 */
export function answerCallStanza(connection: ClientConnection, stanza: BinaryNode): void {
  const device = connection.device;
  const reject = child(stanza, 'reject');
  const { id, to } = stanza.attrs;
  if (!device || !id) return;
  connection.send({
    tag: 'ack',
    attrs: { class: 'call', id, from: to ?? device.account.jid, type: reject ? 'reject' : 'offer' },
  });
  const callId = reject?.attrs['call-id'];
  const caller = reject?.attrs['call-creator']
    ? connection.network.findAccount(reject.attrs['call-creator'])
    : undefined;
  const call = callId ? caller?.calls.get(callId) : undefined;
  if (call && call.to === device.account) call.rejectedBy = device.jid;
}
