import { randomBytes } from 'node:crypto';
import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import type { PendingCodePairing } from './pairing.js';
import { digitsOf } from './sim-network.js';
import { child, contentBytes, iqError, iqResult } from './stanzas.js';

/**
 * `xmlns=md`: multi-device management asked by a companion. A registering companion starts
 * pairing-code linking (`companion_hello`) and finishes it (`companion_finish`); a linked one unlinks
 * itself (`remove-companion-device`, Baileys' `logout`).
 */
export function handleDeviceIq(connection: ClientConnection, iq: BinaryNode): BinaryNode {
  const { network } = connection;
  const linkCode = child(iq, 'link_code_companion_reg');
  if (linkCode) {
    const number = digitsOf(linkCode.attrs.jid ?? '');
    if (linkCode.attrs.stage === 'companion_hello') {
      const wrapped = contentBytes(child(linkCode, 'link_code_pairing_wrapped_companion_ephemeral_pub'));
      if (connection.phase !== 'registering' || !number || !wrapped) return iqError(iq, 400, 'bad-request');
      const ref = randomBytes(16);
      let finish!: (node: BinaryNode) => void;
      const finished = new Promise<BinaryNode>((resolve) => (finish = resolve));
      const pending: PendingCodePairing = { connection, ref, wrappedCompanionEphemeral: wrapped, finished, finish };
      connection.pairingInProgress = pending;
      network.addCodePairing(number, pending);
      network.log('pairing code requested', { number });
      return iqResult(iq, [
        {
          tag: 'link_code_companion_reg',
          attrs: {},
          content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: ref }],
        },
      ]);
    }
    if (linkCode.attrs.stage === 'companion_finish') {
      // The phone side (`pairWithCode`) waits for this; it answers with `pair-success` on its own.
      const pending = connection.pairingInProgress;
      pending?.finish(iq);
      return pending ? iqResult(iq) : iqError(iq, 404, 'item-not-found');
    }
    return iqError(iq, 400, 'bad-request');
  }

  const remove = child(iq, 'remove-companion-device');
  if (remove) {
    const device = connection.device;
    if (device) {
      device.account.devices.delete(device.deviceId);
      network.log('device removed itself', { jid: device.jid });
    }
    // Baileys closes the socket itself after sending this; the answer may not even be read.
    return iqResult(iq);
  }
  return iqResult(iq);
}
