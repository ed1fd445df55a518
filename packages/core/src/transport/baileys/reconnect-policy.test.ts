import { describe, expect, it } from 'vitest';
import { backoffDelay, decideOnClose, ReconnectSchedule } from './reconnect-policy.js';

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

  it('names why WhatsApp is unreachable instead of timed_out: Baileys reports every network error as 408', () => {
    expect(decideOnClose(408, 'ECONNREFUSED')).toEqual({ action: 'retry', reason: 'connection_refused' });
    expect(decideOnClose(408, 'ENOTFOUND')).toEqual({ action: 'retry', reason: 'host_not_found' });
    expect(decideOnClose(408, 'ENETUNREACH')).toEqual({ action: 'retry', reason: 'network_unreachable' });
    expect(decideOnClose(408, 'EPIPE')).toEqual({ action: 'retry', reason: 'timed_out' });
    expect(decideOnClose(500, 'ECONNREFUSED')).toEqual({ action: 'retry', reason: 'bad_session' });
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

describe('ReconnectSchedule', () => {
  const bounds = { minMs: 1_000, maxMs: 8_000 };
  const schedule = () => new ReconnectSchedule(bounds, () => 1);

  it('backs off from the first failure, capped, while the next attempt falls within the give-up time', () => {
    const retries = schedule();
    const delays: Array<number | null> = [];
    let now = 0;
    for (let i = 0; i < 6; i++) {
      const delay = retries.next(now, 60_000);
      delays.push(delay);
      now += delay ?? 0;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('gives up, instead of retrying for ever, when the next attempt would start past the give-up time', () => {
    const retries = schedule();
    expect(retries.next(0, 10_000)).toBe(1_000);
    expect(retries.next(1_000, 10_000)).toBe(2_000);
    expect(retries.next(3_000, 10_000)).toBe(4_000);
    expect(retries.next(7_000, 10_000)).toBeNull();
  });

  it('never gives up with a give-up time of 0', () => {
    const retries = schedule();
    expect(retries.next(0, 0)).toBe(1_000);
    expect(retries.next(365 * 86_400_000, 0)).toBe(2_000);
  });

  it('starts a new run, from the first delay and a new give-up time, once the link opened', () => {
    const retries = schedule();
    retries.next(0, 10_000);
    retries.next(1_000, 10_000);
    retries.reset();
    expect(retries.next(50_000, 10_000)).toBe(1_000);
    expect(retries.next(51_000, 10_000)).toBe(2_000);
  });
});
