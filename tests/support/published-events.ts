import type { Kirim, KirimEvent } from '@kirim/core';
import { eventually } from './eventually.js';

/** Keeps every event `kirim` publishes from now on; `published` waits for `count` of one type for one session. */
export function recordPublished(kirim: Pick<Kirim, 'on'>) {
  const events: KirimEvent[] = [];
  kirim.on('*', (event) => void events.push(event));
  return {
    events,
    /** The `data` of the events of `type` published for `sessionId`, once there are `count` of them. */
    published: (type: string, sessionId: string, count = 1, timeoutMs?: number): Promise<any[]> =>
      eventually(() => {
        const found = events
          .filter((e) => e.type === type && (e.data as { session_id?: string }).session_id === sessionId)
          .map((e) => e.data as any);
        if (found.length < count) throw new Error(`${found.length} of ${count} ${type} events so far`);
        return found;
      }, timeoutMs),
  };
}
