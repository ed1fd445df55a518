import { deflateSync } from 'node:zlib';
import { proto } from 'baileys';
import type { LinkedDevice } from './linked-device.js';
import { deliverFromPhone } from './message-relay.js';
import { newMessageId } from './stanzas.js';

/**
 * The phone's first message to a newly linked device: a history-sync notification, as WhatsApp's
 * phone sends after pairing. Baileys holds back every event after its first login until one arrives
 * (or for 20 s), then syncs app state and counts the sync in `creds.accountSyncCounter`, so later logins
 * go online at once. The history itself rides inline (no media download): no chats, and the LID of
 * every account on the network, which a real phone also shares.
 */
export async function sendInitialSync(device: LinkedDevice): Promise<void> {
  const phone = device.account;
  const history = proto.HistorySync.encode({
    syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
    conversations: [],
    phoneNumberToLidMappings: phone.network
      .allPhones()
      .map((account) => ({ pnJid: account.jid, lidJid: account.lidJid })),
  }).finish();
  await sendToOwnDevice(device, {
    type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
    historySyncNotification: {
      syncType: proto.Message.HistorySyncType.INITIAL_BOOTSTRAP,
      initialHistBootstrapInlinePayload: deflateSync(history),
      progress: 100,
    },
  });
}

/** A protocol message from the phone to one of its own linked devices (`category=peer`). */
export function sendToOwnDevice(device: LinkedDevice, protocolMessage: proto.Message.IProtocolMessage): Promise<void> {
  return deliverFromPhone(device.account, [device], {
    id: newMessageId(),
    chat: null,
    peer: true,
    message: { protocolMessage },
  });
}
