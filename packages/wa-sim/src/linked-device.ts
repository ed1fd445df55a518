import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import type { KeyBundle } from './phone-signal.js';
import type { SimPhone } from './sim-phone.js';

/** The keys a companion announced when it registered, plus the pre-keys it uploaded since. */
export interface CompanionKeys {
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
}

/**
 * The server's record of one linked device (a companion such as Baileys) of an account.
 * It outlives connections: a device logs in again with the same number, device id and Noise key.
 */
export class LinkedDevice {
  /** The live connection of this device, if it is online. */
  connection: ClientConnection | null = null;
  /** Stanzas for the device that arrived while it was offline, delivered (marked offline) at its next login. */
  readonly offlineQueue: BinaryNode[] = [];
  /** One-time pre-keys uploaded by the device and not yet handed out, by id. */
  readonly preKeys = new Map<number, Buffer>();
  /** Whether the phone sent this device its initial history sync (done once, at its first login). */
  initialSyncSent = false;

  constructor(
    readonly account: SimPhone,
    readonly deviceId: number,
    /** The companion's static Noise key: the credential it logs in with. */
    readonly noiseKey: Buffer,
    readonly platform: string,
    public keys: CompanionKeys,
  ) {}

  /** `<phone>:<device>@s.whatsapp.net` */
  get jid(): string {
    return `${this.account.number}:${this.deviceId}@s.whatsapp.net`;
  }

  /** `<lid>:<device>@lid` */
  get lidJid(): string {
    return `${this.account.lid}:${this.deviceId}@lid`;
  }

  get online(): boolean {
    return this.connection !== null;
  }

  /** The device's bundle with one of its uploaded pre-keys, which is consumed (as the real server does). */
  takeBundle(): KeyBundle {
    const next = this.preKeys.entries().next();
    let preKey: KeyBundle['preKey'];
    if (!next.done) {
      const [keyId, publicKey] = next.value;
      this.preKeys.delete(keyId);
      preKey = { keyId, publicKey };
    }
    return { ...this.keys, preKey };
  }

  /** Sends a stanza now, or keeps it for the next login if the device is offline. */
  deliver(stanza: BinaryNode): void {
    if (this.connection) this.connection.send(stanza);
    else this.offlineQueue.push({ ...stanza, attrs: { ...stanza.attrs, offline: '1' } });
  }
}
