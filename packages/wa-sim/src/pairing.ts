import { randomBytes } from 'node:crypto';
import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesEncryptCTR,
  Curve,
  derivePairingCodeKey,
  hkdf,
  hmacSign,
  proto,
  WA_ADV_ACCOUNT_SIG_PREFIX,
} from 'baileys';
import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import { LinkedDevice } from './linked-device.js';
import type { SimPhone } from './sim-phone.js';
import { child, contentBytes, SERVER_JID, unixTime } from './stanzas.js';

/** What a linking QR code carries (Baileys' `buildPairingQRData`). */
export interface PairingQr {
  ref: string;
  noiseKey: Buffer;
  identityKey: Buffer;
  advSecret: Buffer;
  platform: string;
}

/** Reads `https://wa.me/settings/linked_devices#REF,NOISE,IDENTITY,ADV_SECRET,PLATFORM` (or the bare fields). */
export function parsePairingQr(qr: string): PairingQr {
  const fields = qr.slice(qr.indexOf('#') + 1).split(',');
  if (fields.length < 4) throw new Error('not a WhatsApp linking QR code');
  const [ref, noise, identity, adv, platform] = fields as [string, string, string, string, string?];
  return {
    ref,
    noiseKey: Buffer.from(noise, 'base64'),
    identityKey: Buffer.from(identity, 'base64'),
    advSecret: Buffer.from(adv, 'base64'),
    platform: platform ?? 'unknown',
  };
}

/** A pairing-code request from a companion, waiting for the phone to enter the code. */
export interface PendingCodePairing {
  connection: ClientConnection;
  ref: Buffer;
  /** salt(32) ‖ iv(16) ‖ AES-CTR(companion ephemeral public key), keyed by PBKDF2 of the code. */
  wrappedCompanionEphemeral: Buffer;
  /** Resolves with the companion's `companion_finish` stanza. */
  finished: Promise<BinaryNode>;
  finish(node: BinaryNode): void;
}

/** The result of linking a companion. */
export interface LinkResult {
  device: LinkedDevice;
  /** `<phone>:<device>@s.whatsapp.net` */
  jid: string;
  /** `<lid>:<device>@lid` */
  lid: string;
}

/**
 * Links a registering companion to a phone's account, as the phone and the server do together:
 * sends `pair-success` with an ADV identity signed by the account key and authenticated with the
 * companion's ADV secret, waits for the companion's `pair-device-sign`, then ends the stream with 515
 * so the companion logs in again as the new device.
 */
export async function completePairing(
  phone: SimPhone,
  connection: ClientConnection,
  companionIdentityKey: Buffer,
  advSecret: Buffer,
): Promise<LinkResult> {
  const registration = connection.registration;
  if (!registration || connection.phase !== 'registering')
    throw new Error('the companion is no longer waiting to be linked');
  if (!registration.identityKey.equals(companionIdentityKey)) {
    throw new Error('the companion identity does not match the one it registered with');
  }

  const deviceId = phone.allocateDeviceId();
  const details = Buffer.from(
    proto.ADVDeviceIdentity.encode({
      rawId: phone.advRawId,
      timestamp: Math.floor(Date.now() / 1000),
      keyIndex: deviceId,
    }).finish(),
  );
  // The account key vouches for the companion's identity key: [6, 0] ‖ details ‖ companion identity.
  const accountSignature = Curve.sign(
    phone.signal.identity.private,
    Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, companionIdentityKey]),
  );
  const signedIdentity = Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({
      details,
      accountSignatureKey: phone.signal.identity.public,
      accountSignature,
    }).finish(),
  );
  const deviceIdentity = proto.ADVSignedDeviceIdentityHMAC.encode({
    details: signedIdentity,
    hmac: hmacSign(signedIdentity, advSecret),
  }).finish();

  const device = new LinkedDevice(phone, deviceId, registration.noiseKey, registration.platform, {
    registrationId: registration.registrationId,
    identityKey: registration.identityKey,
    signedPreKey: registration.signedPreKey,
  });

  const answer = await connection.query({
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'set', xmlns: 'md', t: unixTime() },
    content: [
      {
        tag: 'pair-success',
        attrs: {},
        content: [
          { tag: 'device-identity', attrs: { 'key-index': String(deviceId) }, content: Buffer.from(deviceIdentity) },
          { tag: 'platform', attrs: { name: registration.platform } },
          { tag: 'device', attrs: { jid: device.jid, lid: device.lidJid } },
        ],
      },
    ],
  });
  if (answer.attrs.type !== 'result' || !child(answer, 'pair-device-sign')) {
    throw new Error('the companion rejected the pairing');
  }

  phone.devices.set(deviceId, device);
  // WhatsApp restarts the stream after pairing; the companion reconnects with its new credentials.
  connection.streamError(515);
  phone.network.log('paired', { jid: device.jid });
  return { device, jid: device.jid, lid: device.lidJid };
}

/**
 * The phone's half of pairing-code linking, once the user typed the code shown by the companion:
 * unwraps the companion's ephemeral key with the code, answers with the phone's own wrapped ephemeral
 * key, reads the companion's key bundle, derives the shared ADV secret, then links as with a QR code.
 * A wrong code makes the key bundle fail to decrypt: the promise rejects and nothing is linked.
 */
export async function pairWithCode(phone: SimPhone, pending: PendingCodePairing, code: string): Promise<LinkResult> {
  const normalisedCode = code.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  const wrapped = pending.wrappedCompanionEphemeral;
  const companionKey = await derivePairingCodeKey(normalisedCode, wrapped.subarray(0, 32));
  const companionEphemeral = aesDecryptCTR(wrapped.subarray(48, 80), companionKey, wrapped.subarray(32, 48));

  const primaryEphemeral = Curve.generateKeyPair();
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const primaryKey = await derivePairingCodeKey(normalisedCode, salt);
  const wrappedPrimary = Buffer.concat([salt, iv, aesEncryptCTR(primaryEphemeral.public, primaryKey, iv)]);

  pending.connection.send({
    tag: 'notification',
    attrs: { from: SERVER_JID, type: 'link_code_companion_reg', id: `${Date.now()}`, t: unixTime() },
    content: [
      {
        tag: 'link_code_companion_reg',
        attrs: {},
        content: [
          { tag: 'link_code_pairing_ref', attrs: {}, content: pending.ref },
          { tag: 'primary_identity_pub', attrs: {}, content: Buffer.from(phone.signal.identity.public) },
          { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrappedPrimary },
        ],
      },
    ],
  });

  const finish = await pending.finished;
  const registration = child(finish, 'link_code_companion_reg');
  const bundle = contentBytes(child(registration, 'link_code_pairing_wrapped_key_bundle'));
  if (!bundle) throw new Error('the companion sent no key bundle');
  const ephemeralShared = Curve.sharedKey(primaryEphemeral.private, companionEphemeral);
  const bundleKey = hkdf(ephemeralShared, 32, {
    salt: bundle.subarray(0, 32),
    info: 'link_code_pairing_key_bundle_encryption_key',
  });
  let plaintext: Buffer;
  try {
    plaintext = aesDecryptGCM(bundle.subarray(44), bundleKey, bundle.subarray(32, 44), Buffer.alloc(0));
  } catch {
    throw new Error('pairing code does not match');
  }
  const companionIdentity = plaintext.subarray(0, 32);
  const random = plaintext.subarray(64, 96);
  const identityShared = Curve.sharedKey(phone.signal.identity.private, companionIdentity);
  const advSecret = Buffer.from(
    hkdf(Buffer.concat([ephemeralShared, identityShared, random]), 32, { info: 'adv_secret' }),
  );
  return completePairing(phone, pending.connection, Buffer.from(companionIdentity), advSecret);
}
