import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import { answerIq } from './iq-handlers.js';
import { answerMediaRetry } from './media-retry.js';
import { answerCallStanza } from './phone-calls.js';
import { answerPresenceSubscription } from './phone-presence.js';
import { recordDeviceReceipt, relayFromDevice } from './message-relay.js';

/**
 * Dispatches one stanza from a client by its tag: queries are answered, messages relayed to their
 * recipients, receipts recorded, presences recorded on the device's account, subscriptions to other
 * accounts' presences answered. The rest (`ack`, `ib` telemetry) needs no answer from a server and is dropped.
 */
export async function routeStanza(connection: ClientConnection, stanza: BinaryNode): Promise<void> {
  switch (stanza.tag) {
    case 'iq':
      if (stanza.attrs.type === 'get' || stanza.attrs.type === 'set')
        connection.send(await answerIq(connection, stanza));
      return;
    case 'message':
      // Only a logged-in device may send; a registering companion has no identity yet.
      if (connection.phase === 'online') await relayFromDevice(connection, stanza);
      return;
    case 'receipt':
      if (connection.phase !== 'online') return;
      if (stanza.attrs.type === 'server-error') answerMediaRetry(connection, stanza);
      else recordDeviceReceipt(connection, stanza);
      return;
    case 'call':
      if (connection.phase === 'online') answerCallStanza(connection, stanza);
      return;
    case 'presence':
      if (connection.phase !== 'online') return;
      // A subscription asks for another account's presence: it is not one the device shows.
      if (stanza.attrs.type === 'subscribe' || stanza.attrs.type === 'unsubscribe')
        answerPresenceSubscription(connection, stanza);
      else recordPresence(connection, stanza);
      return;
    case 'chatstate':
      if (connection.phase === 'online') recordPresence(connection, stanza);
      return;
    default:
      return;
  }
}

/**
 * A device's presence: `presence type=available|unavailable`, or a `chatstate` to a chat holding `composing`
 * (`media=audio` when recording) or `paused`.
 */
function recordPresence(connection: ClientConnection, stanza: BinaryNode): void {
  const device = connection.device;
  if (!device) return;
  if (stanza.tag === 'presence') {
    const state = stanza.attrs.type;
    if (state) device.account.presences.push({ from: device.jid, state, to: null });
    return;
  }
  const shown = Array.isArray(stanza.content) ? stanza.content[0] : undefined;
  if (!shown || !stanza.attrs.to) return;
  const state = shown.tag === 'composing' && shown.attrs.media === 'audio' ? 'recording' : shown.tag;
  device.account.presences.push({ from: device.jid, state, to: stanza.attrs.to });
}
