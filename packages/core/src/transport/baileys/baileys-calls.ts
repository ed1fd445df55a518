import type { WACallEvent, WASocket } from 'baileys';
import type { CallOffer } from '../transport.js';
import type { LiveHandler } from './contained-calls.js';
import { isPhoneJid, userOf } from './message-mapping.js';

/** A call event of Baileys as the port's offer; null for the call's later states (accepted, rejected, ended). */
export function callOffer(call: WACallEvent): CallOffer | null {
  if (call.status !== 'offer') return null;
  // A caller addressed by LID names their number in `caller_pn` (Baileys' callerPn) when WhatsApp tells it.
  const phoneJid = isPhoneJid(call.from) ? call.from : call.callerPn;
  return {
    callId: call.id,
    from: call.from,
    fromPhone: phoneJid ? userOf(phoneJid) : null,
    isVideo: !!call.isVideo,
    isGroup: !!call.isGroup,
    at: call.date,
  };
}

/** Reports the calls offered on the socket to `report`. */
export function reportCalls(sock: WASocket, live: LiveHandler, report: (call: CallOffer) => void): void {
  sock.ev.on(
    'call',
    live('call', (calls: WACallEvent[]) => calls.flatMap((call) => callOffer(call) ?? []).forEach(report)),
  );
}
