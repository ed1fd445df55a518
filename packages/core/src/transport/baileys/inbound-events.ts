import type {
  BinaryNode,
  Contact,
  MessageUserReceiptUpdate,
  proto,
  WAMessage,
  WAMessageKey,
  WAMessageUpdate,
  WASocket,
} from 'baileys';
import { BoundedMap } from '../../bounded-map.js';
import type { Clock } from '../../clock.js';
import { isGroupJid } from '../../contacts/phone.js';
import type { Logger } from '../../logger.js';
import type { IncomingMessage, MessageUpdate, ReceiptStatus, StoredMessage, TransportListener } from '../transport.js';
import type { StoredAuthState } from './baileys-auth-state.js';
import type { BaileysModule } from './baileys-module.js';
import { callListener } from './contained-calls.js';
import {
  addressesOf,
  isLidJid,
  isPhoneJid,
  deserialiseMessage,
  RECEIPT_BY_STATUS,
  sentAt,
  serialiseMessage,
  toIncomingMessage,
  toSeenContact,
  userOf,
  withoutDevice,
  type SenderAddress,
} from './message-mapping.js';
import { decryptedVote } from './poll-vote.js';
import { changeOf, type ReceivedChange } from './received-change.js';

/** Ids remembered for deduplication and receipt ranking (per connection). */
const REMEMBERED_IDS = 5_000;

/** Receipt progress; `failed` is terminal and only taken before delivery. */
const RECEIPT_RANK: Record<ReceiptStatus, number> = { sent: 1, delivered: 2, read: 3, failed: 10 };

/** What {@link InboundEvents} reads and reports through. */
export interface InboundDeps {
  baileys: BaileysModule;
  /** Whose `creds.me` names this account. */
  auth: StoredAuthState;
  listener: TransportListener;
  /** The stored message with this id (a poll, to decrypt the votes on it). */
  getMessage(messageId: string): Promise<StoredMessage | undefined>;
  /** When a message that carries no time of its own was received. */
  clock: Clock;
  log: Logger;
}

/**
 * One connection's messages, receipts and contacts from Baileys, reported to the port's listener: each
 * incoming message or update of a message once (it can come as `append` and `notify`), and each receipt only
 * when it raises the message's status (receipts come folded, repeated or out of order). Its memory is bounded.
 */
export class InboundEvents {
  private readonly seenIncoming = new BoundedMap<string, true>(REMEMBERED_IDS);
  private readonly ownSends = new BoundedMap<string, true>(REMEMBERED_IDS);
  private readonly receiptRanks = new BoundedMap<string, number>(REMEMBERED_IDS);

  constructor(private readonly deps: InboundDeps) {}

  /** A message about to be sent under this id: its echo carries receipts, it is no incoming message. */
  sending(messageId: string): void {
    this.ownSends.set(messageId, true);
  }

  /** `messages.upsert`: new messages, and echoes of our own sends. */
  async onUpsert(sock: WASocket, messages: WAMessage[]): Promise<void> {
    for (const message of messages) {
      const id = message.key.id;
      if (!id) continue;
      if (message.key.fromMe && this.ownSends.has(id)) {
        // Our own send echoed back. Receipts that arrived before this echo are folded into it: 1:1
        // receipts into its status, group receipts into its per-participant `userReceipt`.
        const chat = message.key.remoteJid ?? '';
        if (typeof message.status === 'number') this.onStatus(id, message.status, chat);
        for (const receipt of message.userReceipt ?? []) this.onUserReceipt(id, receipt, chat);
        continue;
      }
      // The same message can come as `append` (offline backlog) and `notify`: report it once.
      if (this.seenIncoming.has(id)) continue;
      this.seenIncoming.set(id, true);
      const change = changeOf(this.deps.baileys, message.message);
      if (change) {
        const update = await this.toUpdate(sock, message, change);
        if (update) this.emit('onUpdate', () => this.deps.listener.onUpdate(update));
        continue;
      }
      const incoming = await this.toIncoming(sock, message);
      if (incoming) this.emit('onMessage', () => this.deps.listener.onMessage(incoming));
    }
  }

  /** `messages.update`: status changes of 1:1 messages we sent. */
  onMessageUpdates(updates: WAMessageUpdate[]): void {
    for (const { key, update } of updates) {
      if (key.fromMe && key.id && typeof update.status === 'number')
        this.onStatus(key.id, update.status, key.remoteJid ?? '');
    }
  }

  /** `message-receipt.update`: group receipts come per participant; the first delivery or read moves the message. */
  onUserReceipts(updates: MessageUserReceiptUpdate[]): void {
    for (const { key, receipt } of updates) {
      if (key.fromMe && key.id) this.onUserReceipt(key.id, receipt, key.remoteJid ?? '');
    }
  }

  /** The server's ack of a sent stanza: the only "sent" signal (Baileys emits no status for it). */
  onServerAck(node: BinaryNode): void {
    const { id, from, error } = node.attrs;
    if (id) this.reportReceipt(id, error ? 'failed' : 'sent', from ?? '');
  }

  /** `contacts.upsert` and `contacts.update`. */
  onContacts(contacts: Array<Partial<Contact>>): void {
    const seen = contacts.flatMap((contact) => toSeenContact(contact) ?? []);
    if (seen.length) this.emit('onContacts', () => this.deps.listener.onContacts(seen));
  }

  private async toIncoming(sock: WASocket, message: WAMessage): Promise<IncomingMessage | null> {
    const { from, sender } = await this.authorOf(sock, message.key);
    const raw = serialiseMessage(this.deps.baileys, message);
    return toIncomingMessage(this.deps.baileys, message, sender, from, raw, this.deps.clock.now());
  }

  /** The update a message makes to another; null for a poll vote that cannot be decrypted (logged). */
  private async toUpdate(
    sock: WASocket,
    message: WAMessage,
    { messageId, change }: ReceivedChange,
  ): Promise<MessageUpdate | null> {
    const { from, sender } = await this.authorOf(sock, message.key);
    const made = {
      messageId,
      chat: message.key.remoteJid ?? '',
      from,
      fromPhone: sender.phone,
      fromMe: !!message.key.fromMe,
      at: sentAt(message, this.deps.clock.now()),
    };
    if (change.kind !== 'poll_vote') return { ...made, ...change };
    const selected = await this.readVote(sock, messageId, change.vote, sender);
    return selected ? { ...made, kind: 'poll_vote', selected } : null;
  }

  /** A vote's option names, decrypted with the secret of the poll as stored. */
  private async readVote(
    sock: WASocket,
    pollId: string,
    vote: proto.Message.IPollUpdateMessage,
    voter: SenderAddress,
  ): Promise<string[] | undefined> {
    // A store that fails loses this vote only, not the messages after it in the batch.
    const stored = await this.deps.getMessage(pollId).catch((error: unknown) => {
      this.deps.log.warn({ err: error, pollId }, 'could not load a poll to decrypt a vote on it');
      return undefined;
    });
    if (!stored?.raw) {
      this.deps.log.warn({ pollId }, 'poll vote on a poll not stored: it cannot be decrypted');
      return undefined;
    }
    const poll = deserialiseMessage(this.deps.baileys, stored.raw);
    const { sender: creator } = await this.authorOf(sock, poll.key);
    const selected = decryptedVote({ baileys: this.deps.baileys, vote, poll, creator, voter });
    if (!selected) this.deps.log.warn({ pollId }, 'poll vote could not be decrypted');
    return selected;
  }

  /** Who wrote a message (its key): as WhatsApp addressed them, with both addresses where known. */
  private async authorOf(sock: WASocket, key: WAMessageKey): Promise<{ from: string; sender: SenderAddress }> {
    const chat = key.remoteJid ?? '';
    const isGroup = isGroupJid(chat);
    const me = this.deps.auth.state.creds.me;
    const from = key.fromMe ? (me?.id ? withoutDevice(me.id) : chat) : ((isGroup ? key.participant : chat) ?? chat);
    const alternative = key.fromMe ? me?.lid : isGroup ? key.participantAlt : key.remoteJidAlt;
    return { from, sender: await this.resolveSender(sock, from, alternative ?? undefined) };
  }

  /** Both addresses of a sender: from the message's alternate address, else from Baileys' LID mapping store. */
  private async resolveSender(
    sock: WASocket,
    primary: string,
    alternative: string | undefined,
  ): Promise<SenderAddress> {
    let { phone, lid } = addressesOf(
      primary,
      isPhoneJid(alternative) ? alternative : null,
      isLidJid(alternative) ? alternative : null,
    );
    try {
      if (!phone && lid) {
        const pn = await sock.signalRepository.lidMapping.getPNForLID(lid);
        // The store answers with a device suffix (`:0`): keep the number only.
        if (pn) phone = userOf(pn);
      } else if (phone && !lid) {
        const found = await sock.signalRepository.lidMapping.getLIDForPN(`${phone}@s.whatsapp.net`);
        if (found) lid = withoutDevice(found);
      }
    } catch (error) {
      this.deps.log.debug({ err: error }, 'LID mapping lookup failed');
    }
    return { phone, lid };
  }

  private onUserReceipt(messageId: string, receipt: MessageUserReceiptUpdate['receipt'], chat: string): void {
    // A receipt folded from several carries several timestamps: delivered, then read, each raise once.
    if (receipt.receiptTimestamp) this.reportReceipt(messageId, 'delivered', chat);
    if (receipt.readTimestamp || receipt.playedTimestamp) this.reportReceipt(messageId, 'read', chat);
  }

  private onStatus(messageId: string, status: number, chat: string): void {
    const receipt = RECEIPT_BY_STATUS[status];
    if (receipt) this.reportReceipt(messageId, receipt, chat);
  }

  private reportReceipt(messageId: string, status: ReceiptStatus, chat: string): void {
    const current = this.receiptRanks.get(messageId) ?? 0;
    const rank = RECEIPT_RANK[status];
    if (rank <= current || (status === 'failed' && current >= RECEIPT_RANK.delivered)) return;
    this.receiptRanks.set(messageId, rank);
    this.emit('onReceipt', () => this.deps.listener.onReceipt({ messageId, status, chat }));
  }

  private emit(name: string, call: () => void): void {
    callListener(this.deps.log, name, call);
  }
}
