import { DEFAULT_RECONNECT } from '@kirim/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig reconnect settings', () => {
  it('refuses KIRIM_RECONNECT_MIN_MS above the default KIRIM_RECONNECT_MAX_MS when the max is unset, naming both (the check ran only when both were set, and the back-off bounds were inverted)', () => {
    expect(() => loadConfig({ KIRIM_RECONNECT_MIN_MS: '90000' })).toThrow(
      /KIRIM_RECONNECT_MIN_MS: KIRIM_RECONNECT_MAX_MS \(60000; 60000 when unset\) must not be below KIRIM_RECONNECT_MIN_MS \(90000\)\n\s+KIRIM_RECONNECT_MAX_MS: /,
    );
  });

  it('refuses KIRIM_RECONNECT_MAX_MS below KIRIM_RECONNECT_MIN_MS, and below the default min when that is unset', () => {
    expect(() => loadConfig({ KIRIM_RECONNECT_MIN_MS: '5000', KIRIM_RECONNECT_MAX_MS: '4000' })).toThrow(/KIRIM_RECONNECT_MAX_MS \(4000; .*\) must not be below KIRIM_RECONNECT_MIN_MS \(5000\)/);
    expect(() => loadConfig({ KIRIM_RECONNECT_MAX_MS: '500' })).toThrow(/KIRIM_RECONNECT_MAX_MS \(500; .*\) must not be below KIRIM_RECONNECT_MIN_MS \(1000\)/);
  });

  it('gives the Baileys transport the bounds it will use: the defaults when unset, each variable when set', () => {
    expect(loadConfig({}).reconnect).toEqual({
      minMs: DEFAULT_RECONNECT.backoff.minMs, maxMs: DEFAULT_RECONNECT.backoff.maxMs,
      giveUpLinkedMs: DEFAULT_RECONNECT.giveUpAfter.linkedMs, giveUpUnlinkedMs: DEFAULT_RECONNECT.giveUpAfter.unlinkedMs,
    });
    expect(loadConfig({ KIRIM_RECONNECT_MIN_MS: '60000', KIRIM_RECONNECT_MAX_MS: '90000', KIRIM_RECONNECT_GIVE_UP_MS: '0', KIRIM_LINK_GIVE_UP_MS: '30000' }).reconnect)
      .toEqual({ minMs: 60_000, maxMs: 90_000, giveUpLinkedMs: 0, giveUpUnlinkedMs: 30_000 });
  });
});
