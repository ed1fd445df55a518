import { startLoop, type BackgroundLoop } from '../background.js';
import type { Clock } from '../clock.js';
import { toUserJid } from '../contacts/phone.js';
import type { Logger } from '../logger.js';
import { OPTED_OUT } from '../outbox/opt-outs.js';
import type { NewMessage, Storage } from '../storage/storage.js';
import type { BulkBatch } from './bulk-schemas.js';

/**
 * Recipients a batch holds. A job's first batch becomes rows as it is accepted, the rest in the
 * background: accepting 100,000 recipients stores 100 batch rows, not 100,000 outbox rows with their
 * indexes, and sending starts at once.
 */
export const BULK_BATCH_SIZE = 1000;

/** The outbox rows of a batch: its recipients' messages, each due `delay_ms` after the one before. */
export function rowsOfBatch(batch: BulkBatch): NewMessage[] {
  const first = Date.parse(batch.prototype.not_before!);
  return batch.recipients.map(([phone, text], i) => ({
    ...batch.prototype,
    chat: toUserJid(phone),
    peer_phone: phone,
    text,
    not_before: new Date(first + (batch.first_index + i) * batch.delay_ms).toISOString(),
  }));
}

/** Turns the batches of accepted bulk jobs into outbox rows in the background. */
export interface BulkExpander {
  /** Starts expanding: now, then every `pollMs` (default 1000 ms) or when poked. */
  start(): void;
  /** Stops after the batch being expanded; resolves once it is stored. */
  stop(): Promise<void>;
  /** Expands soon (a job was accepted here); does nothing before `start`. */
  poke(): void;
}

/**
 * Expands bulk jobs' batches into outbox rows in the background, a batch a transaction (taken and
 * expanded together, so each is expanded once, whichever process takes it), oldest first.
 */
export function createBulkExpander(deps: {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  pollMs?: number;
  /** Told a batch became rows (the dispatcher runs a round soon). */
  onExpanded: () => void;
}): BulkExpander {
  const { storage } = deps;
  let loop: BackgroundLoop | undefined;

  const expandOne = () =>
    storage.transaction(async (tx) => {
      const [batch] = await tx.bulkJobs.takeBatches();
      if (!batch) return false;
      // A recipient who opted out since the job was accepted is not messaged: their row is cancelled.
      const optedOut = await tx.optOuts.filter(
        batch.prototype.user_id,
        batch.recipients.map(([phone]) => phone),
      );
      const at = deps.clock.now().toISOString();
      await tx.outbox.enqueue(
        rowsOfBatch(batch).map((row) =>
          optedOut.has(row.peer_phone!) ? { ...row, status: 'cancelled', error: OPTED_OUT, updated_at: at } : row,
        ),
      );
      return true;
    });

  const drain = async () => {
    while (loop && (await expandOne())) {
      deps.onExpanded();
      // Other work (requests, sends) runs between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  return {
    start() {
      loop ??= startLoop(deps.clock, deps.pollMs ?? 1000, 'bulk-expander', deps.logger, drain);
    },
    async stop() {
      const stopping = loop;
      loop = undefined;
      await stopping?.stop();
    },
    poke() {
      loop?.wake();
    },
  };
}
