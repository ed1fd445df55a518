import type { ManualClock } from '@kirim/core/testing';
import { afterEach, expect, vi } from 'vitest';
import type { Standin } from './lead-source-standins.js';

/** Closes after each test every stand-in handed to the function it returns; call it inside a `describe`. */
export function closeStandinsAfterEach(): (...standins: Standin[]) => void {
  const open: Standin[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return (...standins) => void open.push(...standins);
}

/**
 * Starts `search` and checks that it asks `standin` once, then waits `waitMs` on `clock` (still one request a
 * millisecond before) before asking again; resolves to what the search gives.
 */
export async function expectAskedAgainAfter<T>(
  clock: ManualClock,
  standin: Standin,
  waitMs: number,
  search: () => Promise<T>,
): Promise<T> {
  const result = search();
  await vi.waitFor(() => expect(standin.requests).toHaveLength(1));
  // The stand-in has the request before the search has read the answer and gone to sleep: moving the clock
  // earlier would leave the sleep to start later and end later.
  await vi.waitFor(() => expect(clock.sleeping).toBe(1));
  await clock.advance(waitMs - 1);
  expect(standin.requests).toHaveLength(1);
  await clock.advance(1);
  return result;
}
