import type { Clock, SleepOptions } from '../clock.js';

/** A clock that moves only when told: `advance(ms)` wakes every sleeper due by then, in order. */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: Array<{ at: number; wake: () => void }> = [];

  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number, { signal }: SleepOptions = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const cancel = () => {
        this.sleepers = this.sleepers.filter((sleeper) => sleeper !== entry);
        reject(signal!.reason);
      };
      const entry = {
        at: this.current + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener('abort', cancel);
          resolve();
        },
      };
      signal?.addEventListener('abort', cancel, { once: true });
      this.sleepers.push(entry);
      this.sleepers.sort((a, b) => a.at - b.at);
    });
  }

  /** How many sleeps are waiting for their time: a test can wait until the code it drives is asleep. */
  get sleeping(): number {
    return this.sleepers.length;
  }

  /** Moves time forward by `ms`, resolving sleepers as their time comes and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const next = this.sleepers[0];
      if (!next || next.at > target) break;
      this.sleepers.shift();
      this.current = next.at;
      next.wake();
      await flush();
    }
    this.current = target;
    await flush();
  }

  /** Sets the time (forward only). */
  async set(to: Date | string): Promise<void> {
    await this.advance(Math.max(0, new Date(to).getTime() - this.current));
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}
