import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { ManualClock } from './testing/manual-clock.js';

describe('Clock.sleep with a signal', () => {
  it('systemClock: rejects with the reason as soon as the signal aborts, however long the sleep', async () => {
    const cancel = new AbortController();
    const sleeping = systemClock.sleep(3_600_000, cancel.signal);
    cancel.abort(new Error('stopped'));
    await expect(sleeping).rejects.toThrow('stopped');
  });

  it('systemClock: rejects at once for a signal already aborted, and still resolves for one never aborted', async () => {
    await expect(systemClock.sleep(3_600_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    await expect(systemClock.sleep(1, new AbortController().signal)).resolves.toBeUndefined();
  });

  it('ManualClock: a sleep cancelled by its signal rejects and is not woken when the clock passes its time', async () => {
    const clock = new ManualClock();
    const cancel = new AbortController();
    const woken: string[] = [];
    const cancelled = clock.sleep(1_000, cancel.signal).then(
      () => woken.push('cancelled'),
      (error: Error) => woken.push(`rejected: ${error.message}`),
    );
    void clock.sleep(1_000).then(() => woken.push('plain'));
    cancel.abort(new Error('stopped'));
    await cancelled;
    await clock.advance(1_000);
    expect(woken).toEqual(['rejected: stopped', 'plain']);
  });

  it('ManualClock: a sleep whose signal never aborts wakes at its time', async () => {
    const clock = new ManualClock();
    let woken = false;
    void clock.sleep(1_000, new AbortController().signal).then(() => (woken = true));
    await clock.advance(999);
    expect(woken).toBe(false);
    await clock.advance(1);
    expect(woken).toBe(true);
  });
});
