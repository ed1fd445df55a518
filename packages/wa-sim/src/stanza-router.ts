import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import { answerIq } from './iq-handlers.js';
import { recordDeviceReceipt, relayFromDevice } from './message-relay.js';

/**
 * Dispatches one stanza from a client by its tag: queries are answered, messages relayed to their
 * recipients, receipts recorded. The rest (`ack`, `presence`, `chatstate`, `ib` telemetry) needs no
 * answer from a server and is dropped.
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
      if (connection.phase === 'online') recordDeviceReceipt(connection, stanza);
      return;
    default:
      return;
  }
}
