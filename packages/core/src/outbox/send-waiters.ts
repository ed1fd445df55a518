import type { Clock } from '../clock.js';
import type { Message } from '../messages/message-schemas.js';
import type { Storage } from '../storage/storage.js';

/** Which statuses end a row's life for someone waiting on it. */
const SETTLED = new Set(['sent', 'delivered', 'read', 'failed', 'cancelled']);

/** Callers of immediate sends waiting for their rows to settle; the dispatcher tells it what it recorded. */
export class SendWaiters {
  private readonly waiters = new Map<number, Array<(row: Message) => void>>();

  constructor(private readonly deps: { storage: Storage; clock: Clock }) {}

  /**
   * Resolves with the rows once each is settled (sent or final), or as they are when `timeoutMs` passes.
   * Rows another process sends are polled from storage.
   */
  async wait(ids: number[], timeoutMs: number): Promise<Message[]> {
    const { clock, storage } = this.deps;
    const deadline = clock.now().getTime() + timeoutMs;
    const settled = new Map<number, Message>();
    const local = new Promise<void>((resolve) => {
      let left = ids.length;
      for (const id of ids) {
        const list = this.waiters.get(id) ?? [];
        list.push((row) => {
          settled.set(id, row);
          if (--left === 0) resolve();
        });
        this.waiters.set(id, list);
      }
    });
    try {
      for (;;) {
        const rows = await storage.outbox.getMany(ids);
        for (const row of rows) if (SETTLED.has(row.status)) settled.set(row.id, row);
        const left = deadline - clock.now().getTime();
        if (settled.size === ids.length || left <= 0) return rows.map((r) => settled.get(r.id) ?? r);
        await Promise.race([local, clock.sleep(Math.min(250, left))]);
      }
    } finally {
      for (const id of ids) this.waiters.delete(id);
    }
  }

  /** Wakes the waiters of rows a round recorded as settled. */
  recorded(rows: Message[]): void {
    for (const row of rows) if (row.status !== 'queued') for (const wake of this.waiters.get(row.id) ?? []) wake(row);
  }
}
