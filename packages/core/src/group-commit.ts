/** Options of {@link GroupCommit}. */
export interface GroupCommitOptions<T> {
  /** Most items one write takes (a backlog is written in several). */
  batchSize: number;
  /** Writes a batch in one transaction. */
  write(batch: T[]): Promise<void>;
  /**
   * When a batch of several fails: `'retry-each'` (the default) writes its items again one by one, so one bad
   * item fails only itself; `'fail-all'` fails every item of the batch with the batch's error.
   */
  onBatchError?: 'retry-each' | 'fail-all';
}

/**
 * Group commit: items added while a write is under way go together in the next one, so concurrent
 * writers share one commit (one fsync on SQLite) instead of queueing for one each.
 *
 * Error policy: {@link GroupCommitOptions.onBatchError} (by default, one bad item fails only itself); each
 * item's `add` settles with the write that committed or failed it.
 */
export class GroupCommit<T> {
  private readonly pending: Array<{ item: T; done: () => void; failed: (error: unknown) => void }> = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: GroupCommitOptions<T>) {}

  /** Queues an item; resolves once it is committed, rejects with its write's error. */
  add(item: T): Promise<void> {
    return new Promise((done, failed) => {
      this.pending.push({ item, done, failed });
      this.flushing ??= this.flush();
    });
  }

  /** Resolves once nothing is pending or being written. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    const { batchSize, write, onBatchError = 'retry-each' } = this.options;
    try {
      while (this.pending.length > 0) {
        // One turn of the event loop lets concurrent writers join the batch (and I/O run between batches).
        await new Promise((resolve) => setImmediate(resolve));
        const batch = this.pending.splice(0, batchSize);
        try {
          await write(batch.map((p) => p.item));
          for (const p of batch) p.done();
        } catch (error) {
          if (batch.length === 1 || onBatchError === 'fail-all') for (const p of batch) p.failed(error);
          else for (const p of batch) await write([p.item]).then(p.done, p.failed);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
