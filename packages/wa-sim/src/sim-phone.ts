import { randomInt } from 'node:crypto';
import { jidDecode, proto } from 'baileys';
import { textOf, type DecodedMessage } from './decoded-message.js';
import type { LinkedDevice } from './linked-device.js';
import { deliverFromPhone } from './message-relay.js';
import type { PhoneCall } from './phone-calls.js';
import { completePairing, pairWithCode, parsePairingQr, type LinkResult } from './pairing.js';
import { announceAvailability, relayChatState, type PhoneAvailability, type PhoneChatState } from './phone-presence.js';
import { uploadPhoneMedia, type PhoneMedia } from './phone-media.js';
import { PhoneProfile } from './phone-profile.js';
import { PhoneSignal } from './phone-signal.js';
import type { AddressingMode, SimGroup } from './sim-group.js';
import type { SimNetwork } from './sim-network.js';
import { newMessageId } from './stanzas.js';

/** Which receipts a phone sends for messages it gets from a linked device. */
export type ReceiptPolicy = 'read' | 'delivered' | 'none';

/** How a phone's messages reach linked devices: Signal-encrypted (`enc`) or as `plaintext`. */
export type PhoneEncryption = 'signal' | 'plaintext';

/** Per-phone behaviour; every field can be changed later with {@link SimPhone.configure}. */
export interface SimPhoneOptions {
  /** The name shown as the sender (`notify`). Default `Phone <number>`. */
  pushName?: string;
  /** Receipts sent for messages this phone receives. Default `read` (delivered, then read). */
  receipts?: ReceiptPolicy;
  /** Address 1:1 messages to linked devices from the LID (`lid`, with `sender_pn`) or the number (`pn`, with `sender_lid`). Default `pn`. */
  addressing?: AddressingMode;
  /** Default `signal`: messages to linked devices are encrypted with the keys the devices uploaded. */
  encryption?: PhoneEncryption;
  /** Wait before each receipt (delivered, then read), in ms. Default 50. */
  receiptDelayMs?: number;
  /**
   * Wait before the phone's first history sync to a newly linked device, in ms; until it arrives the device does not
   * know the account's name, as with a slow phone. Default 0.
   */
  initialSyncDelayMs?: number;
}

/** A message a simulated phone received from a linked device. */
export interface PhoneMessage {
  id: string;
  /** The chat: the group's JID, or the JID the sender addressed this phone by. */
  chat: string;
  /** The sending device (`<number>:<device>@s.whatsapp.net`). */
  from: string;
  /** The text of a text message (conversation or extended text), else null. */
  text: string | null;
  /** The decrypted message, or null when it could not be read (see `error`). */
  message: proto.IMessage | null;
  /** What the message is, with its kind's fields (a location's coordinates, a reaction's key...). */
  decoded: DecodedMessage;
  error?: string;
  receivedAt: Date;
}

/** Delivery state of a message this phone sent to a linked device. */
export type PhoneSentStatus = 'sent' | 'delivered' | 'read';

/** A message this phone sent, with the best receipt the linked devices returned. */
export interface PhoneSentMessage {
  id: string;
  to: string;
  /** The text of a text message, else empty. */
  text: string;
  /** The message as sent (a poll with the secret its votes are encrypted with). */
  message: proto.IMessage;
  status: PhoneSentStatus;
}

/** Options of {@link SimPhone.sendMessage} and {@link SimPhone.sendText}. */
export interface PhoneSendOptions {
  /** The message id (default: a fresh one). */
  id?: string;
  /**
   * Also give this phone's own linked devices a copy, as WhatsApp does for what is sent from the phone (a
   * `deviceSentMessage`; 1:1 chats only). Default false: a test's phone talks to the recipient only.
   */
  toOwnDevices?: boolean;
  /** Quote a message: its id, and the text shown in the quote. */
  quoted?: { id: string; text?: string; participant?: string };
}

/**
 * A simulated WhatsApp account and its phone (device 0): it links companions by QR code or pairing
 * code, receives (and really decrypts) what they send, answers with receipts, sends messages to them,
 * and can unlink, replace or restart their sessions.
 */
export class SimPhone {
  /** Companion devices linked to this account, by device number. */
  readonly devices = new Map<number, LinkedDevice>();
  /** Messages received from linked devices, oldest first. */
  readonly received: PhoneMessage[] = [];
  /** Messages sent to linked devices, by id. */
  readonly sent = new Map<string, PhoneSentMessage>();
  /** Presences this account's linked devices showed, oldest first: `to` is the chat, null for the account's own. */
  readonly presences: Array<{ from: string; state: string; to: string | null }> = [];
  /** Linked devices (of any account) subscribed to this account's presence, each with the JIDs it subscribed with. */
  readonly presenceSubscribers = new Map<LinkedDevice, Set<string>>();
  /** Calls this phone placed (placeCall), by call id, with the device that rejected each. */
  readonly calls = new Map<string, PhoneCall>();
  /** The phone's Signal identity and sessions. */
  readonly signal = new PhoneSignal();
  /** The account's `rawId` in ADV device identities. */
  readonly advRawId = randomInt(1, 2 ** 31 - 1);
  /** Its about text, picture and business profile, and its blocklist. */
  readonly profile: PhoneProfile;

  pushName: string;
  receipts: ReceiptPolicy = 'read';
  addressing: AddressingMode = 'pn';
  encryption: PhoneEncryption = 'signal';
  receiptDelayMs = 50;
  initialSyncDelayMs = 0;
  /** Whether the phone is online, as its subscribers see it ({@link setAvailability}). Default `unavailable`. */
  availability: PhoneAvailability = 'unavailable';
  /** When the phone last went offline; null while it never was online. */
  lastSeen: Date | null = null;

  private nextDeviceId = 1;
  private readonly messageWaiters: Array<(message: PhoneMessage) => void> = [];

  constructor(
    readonly network: SimNetwork,
    /** The phone number, digits only. */
    readonly number: string,
    /** The account's LID user part. */
    readonly lid: string,
    options?: SimPhoneOptions,
  ) {
    this.pushName = `Phone ${number}`;
    this.profile = new PhoneProfile(number);
    if (options) this.configure(options);
  }

  /** `<number>@s.whatsapp.net` */
  get jid(): string {
    return `${this.number}@s.whatsapp.net`;
  }

  /** `<lid>@lid` */
  get lidJid(): string {
    return `${this.lid}@lid`;
  }

  /** Changes this phone's behaviour. */
  configure(options: SimPhoneOptions): this {
    if (options.pushName !== undefined) this.pushName = options.pushName;
    if (options.receipts !== undefined) this.receipts = options.receipts;
    if (options.addressing !== undefined) this.addressing = options.addressing;
    if (options.encryption !== undefined) this.encryption = options.encryption;
    if (options.receiptDelayMs !== undefined) this.receiptDelayMs = options.receiptDelayMs;
    if (options.initialSyncDelayMs !== undefined) this.initialSyncDelayMs = options.initialSyncDelayMs;
    return this;
  }

  /** The next free device number for a companion. */
  allocateDeviceId(): number {
    return this.nextDeviceId++;
  }

  /**
   * Scans a QR code shown by a companion (Baileys' `connection.update` `qr`) and links it.
   * Resolves once the companion accepted the pairing and was told to restart (515); it then logs in.
   */
  async scanQr(qr: string): Promise<LinkResult> {
    const parsed = parsePairingQr(qr);
    const connection = this.network.connectionForQrRef(parsed.ref);
    if (!connection?.registration) throw new Error('QR code expired or unknown');
    if (!connection.registration.noiseKey.equals(parsed.noiseKey))
      throw new Error('QR code does not match its connection');
    return completePairing(this, connection, parsed.identityKey, parsed.advSecret);
  }

  /**
   * Types the pairing code a companion showed after `requestPairingCode(thisNumber)` and links it.
   * Rejects if no companion asked to pair with this number, or if the code is wrong.
   */
  async enterPairingCode(code: string): Promise<LinkResult> {
    const pending = await this.network.takeCodePairing(this.number, 2_000);
    if (!pending) throw new Error(`no pairing code request for ${this.number}`);
    return pairWithCode(this, pending, code);
  }

  /**
   * Sends a message of any kind to an account's linked devices (a number or JID; a device JID targets one
   * device) or to a group's members' (the group's JID). Devices that are offline get it at their next login,
   * marked offline. Resolves with the id.
   */
  async sendMessage(to: string, message: proto.IMessage, options: PhoneSendOptions = {}): Promise<string> {
    const id = options.id ?? newMessageId();
    const group = this.network.groups.get(to);
    if (group) {
      if (!group.has(this)) throw new Error('not a member of that group');
      const devices = [...group.members.values()]
        .filter((member) => member.phone !== this)
        .flatMap((member) => [...member.phone.devices.values()]);
      this.sent.set(id, { id, to: group.jid, text: textOf(message) ?? '', message, status: 'sent' });
      await deliverFromPhone(this, devices, { id, message, chat: group });
      return id;
    }
    const target = this.network.findAccount(to);
    if (!target) throw new Error(`${to} is not on the simulated network`);
    // A device JID (`<number>:<device>@...`) targets that device only.
    const deviceNumber = to.includes('@') ? jidDecode(to)?.device : undefined;
    const devices = [...target.devices.values()].filter(
      (d) => deviceNumber === undefined || d.deviceId === deviceNumber,
    );
    this.sent.set(id, { id, to: target.jid, text: textOf(message) ?? '', message, status: 'sent' });
    await deliverFromPhone(this, devices, { id, message, chat: null });
    if (options.toOwnDevices)
      await deliverFromPhone(this, [...this.devices.values()], { id, message, chat: null, sentTo: target });
    return id;
  }

  /** Sends a text message (quoting one, if asked) to an account's linked devices: see {@link sendMessage}. */
  async sendText(to: string, text: string, options: PhoneSendOptions = {}): Promise<string> {
    const message: proto.IMessage = options.quoted
      ? {
          extendedTextMessage: {
            text,
            contextInfo: {
              stanzaId: options.quoted.id,
              participant: options.quoted.participant ?? this.network.findAccount(to)?.jid ?? to,
              quotedMessage: { conversation: options.quoted.text ?? '' },
            },
          },
        }
      : { conversation: text };
    return this.sendMessage(to, message, options);
  }

  /** Sends media, encrypted and uploaded to the media host as a phone does, with its keys: see {@link sendMessage}. */
  async sendMedia(to: string, media: PhoneMedia, options: PhoneSendOptions = {}): Promise<string> {
    return this.sendMessage(to, await uploadPhoneMedia(this.network.media, media), options);
  }

  /** Sends a text message to a group: every other member's linked devices get it. */
  async sendGroupText(
    group: SimGroup | string,
    text: string,
    options: Pick<PhoneSendOptions, 'id'> = {},
  ): Promise<string> {
    const jid = typeof group === 'string' ? group : group.jid;
    if (!this.network.groups.has(jid)) throw new Error('not a member of that group');
    return this.sendMessage(jid, { conversation: text }, options);
  }

  /**
   * The phone goes online or offline (offline sets `lastSeen`): the online devices subscribed to it get a `presence`.
   * Nothing is sent when the availability is unchanged.
   */
  setAvailability(state: PhoneAvailability): void {
    announceAvailability(this, state);
  }

  /**
   * The phone types, records or stops in its chat with `to`, or in `group` when given (every other member then sees
   * it; `to` is not used): their online devices get a `chatstate`, no subscription needed.
   */
  showChatState(to: SimPhone, state: PhoneChatState, group?: SimGroup): void {
    relayChatState(this, to, state, group);
  }

  /** Creates a group with this phone as its super-admin (members are phones or numbers). */
  createGroup(subject: string, members: Array<SimPhone | string>, addressingMode: AddressingMode = 'lid'): SimGroup {
    const phones = members.map((member) => (typeof member === 'string' ? this.network.phone(member) : member));
    return this.network.createGroup(subject, this, phones, addressingMode);
  }

  /**
   * Unlinks every companion ("Log out" on the phone): connected ones get `stream:error` 401, and
   * their credentials are refused from then on.
   */
  logoutDevices(): void {
    for (const device of [...this.devices.values()]) {
      this.devices.delete(device.deviceId);
      device.connection?.streamError(401, { tag: 'conflict', attrs: { type: 'device_removed' } });
    }
  }

  /** Tells connected companions another client took their session over (`conflict`: Baileys' 440). */
  replaceSession(): void {
    for (const device of this.devices.values()) {
      device.connection?.streamError(null, { tag: 'conflict', attrs: { type: 'replaced' } });
    }
  }

  /** Tells connected companions to reconnect (`stream:error` 515), as WhatsApp does after pairing. */
  requireRestart(): void {
    for (const device of this.devices.values()) device.connection?.streamError(515);
  }

  /** Resolves with the next received message matching `predicate` (or one already received). */
  waitForMessage(predicate: (message: PhoneMessage) => boolean = () => true, timeoutMs = 5_000): Promise<PhoneMessage> {
    const already = this.received.find(predicate);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const waiter = (message: PhoneMessage): void => {
        if (!predicate(message)) return;
        clearTimeout(timer);
        this.messageWaiters.splice(this.messageWaiters.indexOf(waiter), 1);
        resolve(message);
      };
      const timer = setTimeout(() => {
        this.messageWaiters.splice(this.messageWaiters.indexOf(waiter), 1);
        reject(new Error(`${this.number}: no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.messageWaiters.push(waiter);
    });
  }

  /** Records a message from a linked device (called by the relay). */
  recordReceived(message: PhoneMessage): void {
    this.received.push(message);
    for (const waiter of [...this.messageWaiters]) waiter(message);
  }

  /** Raises a sent message's status on a receipt from a linked device; statuses never go back. */
  recordReceipt(messageId: string, status: PhoneSentStatus): void {
    const sent = this.sent.get(messageId);
    if (!sent) return;
    const rank: Record<PhoneSentStatus, number> = { sent: 0, delivered: 1, read: 2 };
    if (rank[status] > rank[sent.status]) sent.status = status;
  }
}
