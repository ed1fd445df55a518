import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { ManualClock } from './testing/manual-clock.js';

describe('Clock.sleep with a signal', () => {
  it('systemClock: rejects with the reason as soon as the signal aborts, however long the sleep', async () => {
    const cancel = new AbortController();
    const sleeping = systemClock.sleep(3_600_000, { signal: cancel.signal });
    cancel.abort(new Error('stopped'));
    await expect(sleeping).rejects.toThrow('stopped');
  });

  it('systemClock: rejects at once for a signal already aborted, and still resolves for one never aborted', async () => {
    await expect(systemClock.sleep(3_600_000, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow(
      'gone',
    );
    await expect(systemClock.sleep(1, { signal: new AbortController().signal })).resolves.toBeUndefined();
  });

  it('systemClock: a sleep with a signal keeps the process alive unless hold is false; a plain one never does', async () => {
    // The timers keeping the event loop alive, as Node counts them (an unref'd one is not among them).
    const held = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const cancel = new AbortController();
    const before = held();
    const holding = systemClock.sleep(3_600_000, { signal: cancel.signal });
    expect(held()).toBe(before + 1);
    const letGo = systemClock.sleep(3_600_000, { signal: cancel.signal, hold: false });
    void systemClock.sleep(3_600_000);
    expect(held()).toBe(before + 1);
    cancel.abort(new Error('stopped'));
    await expect(holding).rejects.toThrow('stopped');
    await expect(letGo).rejects.toThrow('stopped');
    expect(held()).toBe(before);
  });

  it('ManualClock: a sleep cancelled by its signal rejects and is not woken when the clock passes its time', async () => {
    const clock = new ManualClock();
    const cancel = new AbortController();
    const woken: string[] = [];
    const cancelled = clock.sleep(1_000, { signal: cancel.signal }).then(
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
    void clock.sleep(1_000, { signal: new AbortController().signal }).then(() => (woken = true));
    await clock.advance(999);
    expect(woken).toBe(false);
    await clock.advance(1);
    expect(woken).toBe(true);
  });
});
