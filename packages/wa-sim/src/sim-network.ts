import { createHash, randomBytes, randomInt } from 'node:crypto';
import { jidDecode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import type { LinkedDevice } from './linked-device.js';
import { MediaHost } from './media-host.js';
import type { PendingCodePairing } from './pairing.js';
import { SimGroup, type AddressingMode } from './sim-group.js';
import { SimPhone, type SimPhoneOptions } from './sim-phone.js';

/** A diagnostic line from the simulator (set `log` in the options to see them). */
export type SimLogger = (event: string, details?: Record<string, unknown>) => void;

/** Settings that shape the whole simulated network. */
export interface SimNetworkOptions {
  /** How many QR refs a registering companion gets (each is one QR code). Default 6. */
  qrRefCount: number;
  log: SimLogger;
}

/** A device as a JID names it: the account and the device number (0 is the phone itself). */
export interface ResolvedDevice {
  account: SimPhone;
  deviceId: number;
  /** The linked device record, for companion device numbers. */
  linked?: LinkedDevice;
}

/** Keeps only the digits of a phone number or a JID's user part. */
export function digitsOf(numberOrJid: string): string {
  return numberOrJid.split('@')[0]!.split(':')[0]!.replace(/\D/g, '');
}

/**
 * The state of the simulated WhatsApp: accounts (each with its phone and linked devices), groups,
 * and the linking in progress. Connections come and go; this outlives them.
 */
export class SimNetwork {
  private readonly accounts = new Map<string, SimPhone>();
  private readonly accountsByLid = new Map<string, SimPhone>();
  readonly groups = new Map<string, SimGroup>();
  /** WhatsApp's media hosts: what phones and linked devices upload. */
  readonly media = new MediaHost();
  /** QR refs handed to registering companions, to the connection that holds them. */
  private readonly qrRefs = new Map<string, ClientConnection>();
  /** Pairing-code requests waiting for the phone to enter the code, by phone number. */
  private readonly codePairings = new Map<string, PendingCodePairing>();
  private readonly codePairingWaiters = new Map<string, Array<() => void>>();

  constructor(readonly options: SimNetworkOptions) {}

  log(event: string, details?: Record<string, unknown>): void {
    this.options.log(event, details);
  }

  /** The account of a number, created (with its phone) on first use. */
  phone(number: string, options?: SimPhoneOptions): SimPhone {
    const digits = digitsOf(number);
    if (!digits) throw new Error(`not a phone number: ${number}`);
    let phone = this.accounts.get(digits);
    if (!phone) {
      phone = new SimPhone(this, digits, lidFor(digits), options);
      this.accounts.set(digits, phone);
      this.accountsByLid.set(phone.lid, phone);
    } else if (options) {
      phone.configure(options);
    }
    return phone;
  }

  /** All accounts on the network. */
  allPhones(): SimPhone[] {
    return [...this.accounts.values()];
  }

  /** The account a JID (phone or LID, with or without device) or a bare number belongs to. */
  findAccount(jidOrNumber: string): SimPhone | undefined {
    if (!jidOrNumber.includes('@')) return this.accounts.get(digitsOf(jidOrNumber));
    const decoded = jidDecode(jidOrNumber);
    if (!decoded) return undefined;
    if (decoded.server === 'lid') return this.accountsByLid.get(decoded.user);
    if (decoded.server === 's.whatsapp.net' || decoded.server === 'c.us') return this.accounts.get(decoded.user);
    return undefined;
  }

  /** The account and device a device JID names; undefined for unknown accounts or devices. */
  resolveDevice(jid: string): ResolvedDevice | undefined {
    const account = this.findAccount(jid);
    if (!account) return undefined;
    const deviceId = jidDecode(jid)?.device ?? 0;
    if (deviceId === 0) return { account, deviceId };
    const linked = account.devices.get(deviceId);
    return linked ? { account, deviceId, linked } : undefined;
  }

  /** Creates a group; the creator is a super-admin member. */
  createGroup(
    subject: string,
    creator: SimPhone,
    members: SimPhone[],
    addressingMode: AddressingMode = 'lid',
  ): SimGroup {
    // Real group ids are `120363` followed by digits; keep the shape so logs look familiar.
    const id = `120363${randomInt(10 ** 11, 10 ** 12)}`;
    const group = new SimGroup(`${id}@g.us`, subject, creator, addressingMode);
    group.members.set(creator.number, { phone: creator, admin: 'superadmin' });
    for (const member of members) {
      if (!group.has(member)) group.members.set(member.number, { phone: member, admin: null });
    }
    this.groups.set(group.jid, group);
    return group;
  }

  /** The groups an account is a member of. */
  groupsOf(phone: SimPhone): SimGroup[] {
    return [...this.groups.values()].filter((group) => group.has(phone));
  }

  /** Hands a registering connection its QR refs; they die with the connection. */
  issueQrRefs(connection: ClientConnection): string[] {
    const refs = Array.from({ length: this.options.qrRefCount }, () => `2@${randomBytes(18).toString('base64')}`);
    for (const ref of refs) this.qrRefs.set(ref, connection);
    connection.onClose.push(() => {
      for (const ref of refs) this.qrRefs.delete(ref);
    });
    return refs;
  }

  /** The registering connection that showed a QR ref, if it is still waiting. */
  connectionForQrRef(ref: string): ClientConnection | undefined {
    const connection = this.qrRefs.get(ref);
    return connection?.phase === 'registering' ? connection : undefined;
  }

  /** Records a companion's pairing-code request for a number; it dies with the connection. */
  addCodePairing(number: string, pending: PendingCodePairing): void {
    this.codePairings.set(number, pending);
    pending.connection.onClose.push(() => {
      if (this.codePairings.get(number) === pending) this.codePairings.delete(number);
    });
    for (const wake of this.codePairingWaiters.get(number)?.splice(0) ?? []) wake();
  }

  /**
   * Takes the pairing-code request for a number, waiting a little for it: `requestPairingCode`
   * resolves in Baileys before its request has reached the server.
   */
  async takeCodePairing(number: string, timeoutMs: number): Promise<PendingCodePairing | undefined> {
    if (!this.codePairings.has(number)) {
      await new Promise<void>((resolve) => {
        const waiters = this.codePairingWaiters.get(number) ?? [];
        this.codePairingWaiters.set(number, waiters);
        const wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(wake), 1);
          resolve();
        }, timeoutMs);
        waiters.push(wake);
      });
    }
    const pending = this.codePairings.get(number);
    this.codePairings.delete(number);
    return pending?.connection.isOpen ? pending : undefined;
  }

  /** Closes every connection (the simulator is shutting down). */
  closeAll(): void {
    for (const phone of this.accounts.values()) {
      for (const device of phone.devices.values()) device.connection?.close();
    }
    for (const connection of new Set(this.qrRefs.values())) connection.close();
    for (const pairing of this.codePairings.values()) pairing.connection.close();
  }
}

/** A stable 15-digit LID for a number, so logs and tests read the same on every run. */
function lidFor(digits: string): string {
  const hash = createHash('sha256').update(`wa-sim-lid:${digits}`).digest();
  return `1${(hash.readBigUInt64BE(0) % 10n ** 14n).toString().padStart(14, '0')}`;
}
