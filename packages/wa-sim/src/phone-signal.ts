import {
  addTransactionCapability,
  Curve,
  DEFAULT_CONNECTION_CONFIG,
  encodeWAMessage,
  generateSignalPubKey,
  proto,
  signedKeyPair,
  unpadRandomMax16,
} from 'baileys';
import type { KeyPair, SignalDataSet, SignalKeyStore, SignalRepositoryWithLIDStore } from 'baileys';
import { silentLogger } from './silent-logger.js';

/** A device's public keys as the server hands them out (`encrypt` / `key` answers). */
export interface KeyBundle {
  registrationId: number;
  /** 32-byte Curve25519 public key (no type prefix). */
  identityKey: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  preKey?: { keyId: number; publicKey: Buffer };
}

/** The smallest `SignalKeyStore`: a map per key type, kept for the simulator's lifetime. */
function memoryKeyStore(): SignalKeyStore {
  const data = new Map<string, Map<string, unknown>>();
  return {
    get(type, ids) {
      const bucket = data.get(type);
      const found: Record<string, never> = {};
      for (const id of ids) {
        const value = bucket?.get(id);
        if (value !== undefined) (found as Record<string, unknown>)[id] = value;
      }
      return found;
    },
    set(entries: SignalDataSet) {
      for (const [type, values] of Object.entries(entries)) {
        let bucket = data.get(type);
        if (!bucket) data.set(type, (bucket = new Map()));
        for (const [id, value] of Object.entries(values ?? {})) {
          if (value === null || value === undefined) bucket.delete(id);
          else bucket.set(id, value);
        }
      }
    },
  };
}

/**
 * A simulated phone's (device 0's) Signal identity and sessions.
 *
 * It runs Baileys' own libsignal repository, so the bytes Baileys encrypts for the phone are really
 * decrypted, and messages the phone sends can be really encrypted for a linked device.
 */
export class PhoneSignal {
  readonly identity: KeyPair = Curve.generateKeyPair();
  readonly registrationId = 1 + Math.floor(Math.random() * 16380);
  private readonly signedPreKey = signedKeyPair(this.identity, 1);
  private readonly keys = addTransactionCapability(memoryKeyStore(), silentLogger, {
    maxCommitRetries: 1,
    delayBetweenTriesMs: 0,
  });
  private readonly repository: SignalRepositoryWithLIDStore;
  private nextPreKeyId = 1;

  constructor() {
    this.repository = DEFAULT_CONNECTION_CONFIG.makeSignalRepository(
      {
        creds: {
          signedIdentityKey: this.identity,
          signedPreKey: this.signedPreKey,
          registrationId: this.registrationId,
        },
        keys: this.keys,
      },
      silentLogger,
      // The phone addresses every peer by LID, so it never needs to look a LID up.
      async () => [],
    );
  }

  /** The phone's bundle with a fresh one-time pre-key, as the server hands it to a sender. */
  async issueBundle(): Promise<KeyBundle> {
    const keyId = this.nextPreKeyId++;
    const preKey = Curve.generateKeyPair();
    await this.keys.set({ 'pre-key': { [keyId]: preKey } });
    return {
      registrationId: this.registrationId,
      identityKey: Buffer.from(this.identity.public),
      signedPreKey: {
        keyId: this.signedPreKey.keyId,
        publicKey: Buffer.from(this.signedPreKey.keyPair.public),
        signature: Buffer.from(this.signedPreKey.signature),
      },
      preKey: { keyId, publicKey: Buffer.from(preKey.public) },
    };
  }

  /** Decrypts a 1:1 `enc` (`pkmsg` or `msg`) from a sender device. */
  async decrypt(senderJid: string, type: 'pkmsg' | 'msg', ciphertext: Uint8Array): Promise<proto.Message> {
    const padded = await this.repository.decryptMessage({ jid: senderJid, type, ciphertext });
    return proto.Message.decode(unpadRandomMax16(padded));
  }

  /** Takes in a sender key so that the group's `skmsg` can be read. */
  async acceptSenderKey(senderJid: string, item: proto.Message.ISenderKeyDistributionMessage): Promise<void> {
    await this.repository.processSenderKeyDistributionMessage({ authorJid: senderJid, item });
  }

  /** Decrypts a group `skmsg` from a sender device whose sender key was accepted before. */
  async decryptGroup(groupJid: string, senderJid: string, ciphertext: Uint8Array): Promise<proto.Message> {
    const padded = await this.repository.decryptGroupMessage({
      group: groupJid,
      authorJid: senderJid,
      msg: ciphertext,
    });
    return proto.Message.decode(unpadRandomMax16(padded));
  }

  /**
   * Encrypts a message for a device, starting a session from its bundle if there is none.
   * `fetchBundle` is called only when a new session is needed (it consumes a one-time pre-key).
   */
  async encryptFor(
    deviceJid: string,
    message: proto.IMessage,
    fetchBundle: () => KeyBundle | undefined,
  ): Promise<{ type: 'pkmsg' | 'msg'; ciphertext: Buffer } | undefined> {
    const session = await this.repository.validateSession(deviceJid);
    if (!session.exists) {
      const bundle = fetchBundle();
      if (!bundle) return undefined;
      await this.repository.injectE2ESession({
        jid: deviceJid,
        session: {
          registrationId: bundle.registrationId,
          identityKey: generateSignalPubKey(bundle.identityKey),
          signedPreKey: {
            keyId: bundle.signedPreKey.keyId,
            publicKey: generateSignalPubKey(bundle.signedPreKey.publicKey),
            signature: bundle.signedPreKey.signature,
          },
          preKey: bundle.preKey
            ? { keyId: bundle.preKey.keyId, publicKey: generateSignalPubKey(bundle.preKey.publicKey) }
            : undefined,
        },
      });
    }
    const { type, ciphertext } = await this.repository.encryptMessage({
      jid: deviceJid,
      data: encodeWAMessage(message),
    });
    return { type, ciphertext: Buffer.from(ciphertext) };
  }
}
