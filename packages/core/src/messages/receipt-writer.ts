import type { Clock } from '../clock.js';
import type { KirimEvents } from '../events.js';
import { GroupCommit } from '../group-commit.js';
import type { Logger } from '../logger.js';
import type { Receipt, SendOutcome, Storage } from '../storage/storage.js';
import { messageStatusEvent } from './message-events.js';
import { RECEIPT_MOVES_FROM, type Message, type MessageStatus } from './message-schemas.js';

// Most receipts one write takes (a backlog is written in several).
const RECEIPT_BATCH = 5000;
// How soon receipts of rows another transaction held are tried again.
const HELD_RECEIPT_RETRY_MS = 20;

type Deps = {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  events: KirimEvents;
  /** Told of outgoing messages that receipts moved, after they are recorded and announced. */
  onMoved(messages: Message[]): Promise<void>;
};

/** Receipts held for rows being sent; see {@link ReceiptWriter.hold}. */
export interface HeldReceipts {
  /** Folds a sent row's receipts up the ladder into its outcome; returns the statuses it went through. */
  fold(row: Message, outcome: Extract<SendOutcome, { status: 'sent' | 'delivered' | 'read' }>): MessageStatus[];
  /** Stops holding and writes the receipts not folded, as any others. */
  release(): void;
}

/**
 * Records delivery and read receipts of every session here. Receipts come in bursts, two a message and
 * from every session at once: they are group-committed with their `message.status` events. Receipts of
 * rows being sent here are held instead, to be folded into the send's own record.
 */
export class ReceiptWriter {
  /** Receipts held for rows being sent here, by session and WhatsApp id. */
  private readonly inFlight = new Map<string, Receipt[]>();
  private readonly commit: GroupCommit<Receipt>;
  private stopping = false;

  constructor(private readonly deps: Deps) {
    this.commit = new GroupCommit({ batchSize: RECEIPT_BATCH, write: (batch) => this.apply(batch) });
  }

  /** Takes a receipt from a session: held when its row is being sent here, written otherwise. */
  take(receipt: Receipt): void {
    const held = this.inFlight.get(receiptKey(receipt.sessionId, receipt.messageId));
    if (held) held.push(receipt);
    else this.write([receipt]);
  }

  /**
   * Holds the receipts of rows about to be sent until their sends are recorded: on a fast network they
   * come before the record, and folded into it they cost no write of their own (nor a race with it).
   */
  hold(rows: Message[]): HeldReceipts {
    const held = new Map(rows.map((r) => [receiptKey(r.session_id!, r.message_id!), [] as Receipt[]]));
    for (const [key, list] of held) this.inFlight.set(key, list);
    return {
      fold(row, outcome) {
        const steps: MessageStatus[] = ['sent'];
        const list = held.get(receiptKey(row.session_id!, row.message_id!)) ?? [];
        // A `failed` receipt is left to be written on its own, which fails the row if it is still undelivered.
        const left = list.filter((receipt) => receipt.status === 'failed');
        for (const receipt of list) {
          if (receipt.status === 'failed' || !RECEIPT_MOVES_FROM[receipt.status].includes(outcome.status)) continue;
          outcome.status = receipt.status as 'delivered' | 'read';
          steps.push(receipt.status);
        }
        list.splice(0, list.length, ...left);
        return steps;
      },
      release: () => {
        for (const key of held.keys()) this.inFlight.delete(key);
        this.write([...held.values()].flat());
      },
    };
  }

  /** Resumes retrying held receipts after a stop. */
  start(): void {
    this.stopping = false;
  }

  /** Writes what is pending; receipts of rows another transaction still holds are then let go. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.commit.idle();
  }

  private write(receipts: Receipt[]): void {
    for (const receipt of receipts) {
      this.commit
        .add(receipt)
        .catch((error) => this.deps.logger.error({ err: error, receipt }, 'recording a receipt failed'));
    }
  }

  /** Stores receipts and their events in one transaction; those of rows another transaction holds are tried again shortly. */
  private async apply(receipts: Receipt[]): Promise<void> {
    const { storage, clock, events } = this.deps;
    // The rows and their events are stored together: a crash between two commits cannot keep one without the other.
    const { moved, held, announce } = await storage.transaction(async (tx) => {
      const { moved, held } = await tx.messages.applyReceipts(receipts, clock.now().toISOString());
      // A status for each step: receipts that came together (delivered and read) still report both, in order.
      const statusEvents = moved.flatMap(({ message, steps }) =>
        steps.map((status) => messageStatusEvent(events, message, status)),
      );
      return { moved, held, announce: await events.publishIn(tx, statusEvents) };
    });
    announce();
    if (held.length > 0) this.retryHeld(held);
    // After the commit: a failure here must not write the receipts again.
    if (moved.length > 0)
      await this.deps
        .onMoved(moved.map((m) => m.message))
        .catch((error) => this.deps.logger.error({ err: error }, 'settling what receipts moved failed'));
  }

  /**
   * Their rows are held by another transaction (a send record committing in another process): again
   * shortly. A stopping process lets them go rather than wait on another's lock.
   */
  private retryHeld(held: Receipt[]): void {
    const letGo = () =>
      this.deps.logger.warn(
        { receipts: held.length },
        'receipts of rows another transaction holds were not recorded before stopping',
      );
    if (this.stopping) return letGo();
    void this.deps.clock.sleep(HELD_RECEIPT_RETRY_MS).then(() => (this.stopping ? letGo() : this.write(held)));
  }
}

/** What receipts are held under: a message is its session's WhatsApp id. */
const receiptKey = (sessionId: string, messageId: string) => `${sessionId} ${messageId}`;
