import { describe, expect, it } from 'vitest';
import { backoffDelay, decideOnClose } from './reconnect-policy.js';

describe('decideOnClose', () => {
  it('restarts at once on 515 (restart required, normal after pairing)', () => {
    expect(decideOnClose(515)).toEqual({ action: 'restart' });
  });

  it('treats 401, 403 and 411 as logged out: the credentials are void', () => {
    expect(decideOnClose(401)).toEqual({ action: 'logged_out', reason: 'logged_out' });
    expect(decideOnClose(403)).toEqual({ action: 'logged_out', reason: 'forbidden' });
    expect(decideOnClose(411)).toEqual({ action: 'logged_out', reason: 'multidevice_mismatch' });
  });

  it('stops on 440: another client took the session over', () => {
    expect(decideOnClose(440)).toEqual({ action: 'replaced', reason: 'connection_replaced' });
  });

  it('retries with back-off on everything else, unknown codes and no code included', () => {
    expect(decideOnClose(428)).toEqual({ action: 'retry', reason: 'connection_closed' });
    expect(decideOnClose(408)).toEqual({ action: 'retry', reason: 'timed_out' });
    expect(decideOnClose(503)).toEqual({ action: 'retry', reason: 'unavailable' });
    expect(decideOnClose(599)).toEqual({ action: 'retry', reason: 'closed_599' });
    expect(decideOnClose(undefined)).toEqual({ action: 'retry', reason: 'closed' });
  });
});

describe('backoffDelay', () => {
  const bounds = { minMs: 1_000, maxMs: 60_000 };

  it('doubles from the minimum, between half and all of the exponential ceiling', () => {
    expect(backoffDelay(0, bounds, () => 0)).toBe(500);
    expect(backoffDelay(0, bounds, () => 1)).toBe(1_000);
    expect(backoffDelay(3, bounds, () => 0)).toBe(4_000);
    expect(backoffDelay(3, bounds, () => 1)).toBe(8_000);
  });

  it('never exceeds the cap, however many attempts failed', () => {
    expect(backoffDelay(10, bounds, () => 1)).toBe(60_000);
    expect(backoffDelay(1_000, bounds, () => 1)).toBe(60_000);
  });
});
