import { setTimeout as sleep } from 'node:timers/promises';
import { proto } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import { shareAppStateKey } from './app-state.js';
import { sendInitialSync } from './initial-sync.js';
import type { HandshakeResult } from './noise-responder.js';
import { SERVER_JID, unixTime } from './stanzas.js';

/** Close code of a login refused for unknown or revoked credentials (Baileys' `loggedOut`). */
const LOGGED_OUT = 401;

/**
 * Decides what a freshly handshaken client is: a known linked device logging in (its `ClientPayload`
 * names a number and device), or a new companion asking to be linked (it carries `devicePairingData`).
 */
export function acceptHandshake(connection: ClientConnection, { clientStaticKey, payload }: HandshakeResult): void {
  const username = payload.username === null || payload.username === undefined ? '' : String(payload.username);
  if (username !== '' && username !== '0') logIn(connection, clientStaticKey, username, payload.device ?? 0);
  else register(connection, clientStaticKey, payload);
}

function logIn(connection: ClientConnection, noiseKey: Buffer, number: string, deviceId: number): void {
  const { network } = connection;
  const device = network.findAccount(number)?.devices.get(deviceId);
  // The static Noise key is the device's credential: a device unlinked (or never linked) is refused.
  if (!device || !device.noiseKey.equals(noiseKey)) {
    network.log('login refused', { number, deviceId });
    connection.failLogin(LOGGED_OUT);
    return;
  }
  // One connection per device: a second login replaces the first, as on WhatsApp.
  if (device.connection && device.connection !== connection) {
    device.connection.streamError(null, { tag: 'conflict', attrs: { type: 'replaced' } });
  }
  device.connection = connection;
  connection.device = device;
  connection.phase = 'online';
  connection.onClose.push(() => {
    if (device.connection === connection) device.connection = null;
  });

  connection.send({
    tag: 'success',
    attrs: { t: unixTime(), lid: device.lidJid, creation: unixTime(), location: 'sim', props: '0' },
  });
  const queued = device.offlineQueue.splice(0);
  for (const stanza of queued) connection.send(stanza);
  // `ib/offline` tells Baileys the backlog is over: it flushes its buffered events and goes online.
  connection.send({
    tag: 'ib',
    attrs: { from: SERVER_JID },
    content: [{ tag: 'offline', attrs: { count: String(queued.length) } }],
  });
  network.log('logged in', { jid: device.jid, queued: queued.length });
  if (!device.initialSyncSent) {
    device.initialSyncSent = true;
    sleep(device.account.initialSyncDelayMs)
      .then(() => sendInitialSync(device))
      .then(() => shareAppStateKey(device))
      .catch((error) => network.log('initial sync failed', { error: String(error) }));
  }
}

function register(connection: ClientConnection, noiseKey: Buffer, payload: proto.ClientPayload): void {
  const pairing = payload.devicePairingData;
  if (!pairing?.eIdent || !pairing.eRegid || !pairing.eSkeyId || !pairing.eSkeyVal || !pairing.eSkeySig) {
    connection.failLogin(400);
    return;
  }
  const deviceProps = pairing.deviceProps ? proto.DeviceProps.decode(pairing.deviceProps) : undefined;
  connection.registration = {
    noiseKey,
    registrationId: Buffer.from(pairing.eRegid).readUIntBE(0, pairing.eRegid.length),
    identityKey: Buffer.from(pairing.eIdent),
    signedPreKey: {
      keyId: Buffer.from(pairing.eSkeyId).readUIntBE(0, pairing.eSkeyId.length),
      publicKey: Buffer.from(pairing.eSkeyVal),
      signature: Buffer.from(pairing.eSkeySig),
    },
    platform: deviceProps?.os ?? 'unknown',
  };
  connection.phase = 'registering';

  // Each ref becomes one QR code on the client; when they are used up, Baileys gives up with 408.
  const refs = connection.network.issueQrRefs(connection);
  connection
    .query({
      tag: 'iq',
      attrs: { from: SERVER_JID, type: 'set', xmlns: 'md' },
      content: [
        {
          tag: 'pair-device',
          attrs: {},
          content: refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) })),
        },
      ],
    })
    .catch(() => {
      // The companion may close before acknowledging; nothing waits on this answer.
    });
}
