import { readFileSync } from 'node:fs';
import {
  DEFAULT_AUTH_CACHE_MS,
  DEFAULT_COUNTRY_CODE,
  DEFAULT_DISPATCHER_OPTIONS,
  DEFAULT_EVENT_LOG_OPTIONS,
  DEFAULT_GOOGLE_PLACES_URL,
  DEFAULT_MEDIA_LIMITS,
  DEFAULT_NOMINATIM_URL,
  DEFAULT_OPT_OUT_WORDS,
  DEFAULT_OVERPASS_URL,
  DEFAULT_RECONNECT,
  DEFAULT_SEND_LIMITS,
  DEFAULT_SEND_SERVICE_OPTIONS,
  DEFAULT_SESSION_LEASE,
  DEFAULT_WEBHOOK_TIMINGS,
} from '@kirim/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig defaults', () => {
  it("takes every default from core's exported constants", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      leaseMs: DEFAULT_SESSION_LEASE.leaseMs,
      heartbeatMs: DEFAULT_SESSION_LEASE.heartbeatMs,
      authCacheMs: DEFAULT_AUTH_CACHE_MS,
      defaultCountryCode: DEFAULT_COUNTRY_CODE,
      leadSource: {
        nominatimUrl: DEFAULT_NOMINATIM_URL,
        overpassUrl: DEFAULT_OVERPASS_URL,
        googlePlacesUrl: DEFAULT_GOOGLE_PLACES_URL,
      },
      eventLog: { pollMs: DEFAULT_EVENT_LOG_OPTIONS.pollMs, retentionMs: DEFAULT_EVENT_LOG_OPTIONS.retentionMs },
    });
    expect(config.webhooks).toEqual(DEFAULT_WEBHOOK_TIMINGS);
    expect(config.outbox).toEqual({
      limits: {
        min_gap_ms: DEFAULT_SEND_LIMITS.min_gap_ms,
        jitter_ms: DEFAULT_SEND_LIMITS.jitter_ms,
        daily_cap: DEFAULT_SEND_LIMITS.daily_cap,
        warmup: DEFAULT_SEND_LIMITS.warmup,
        check_recipients: DEFAULT_SEND_LIMITS.check_recipients,
      },
      sendWaitMs: DEFAULT_SEND_SERVICE_OPTIONS.sendWaitMs,
      pollMs: DEFAULT_DISPATCHER_OPTIONS.pollMs,
      unknownGraceMs: DEFAULT_DISPATCHER_OPTIONS.unknownGraceMs,
      retryDelayMs: DEFAULT_DISPATCHER_OPTIONS.retryDelayMs,
      optOutWords: DEFAULT_OPT_OUT_WORDS,
      upgradeUrl: DEFAULT_SEND_SERVICE_OPTIONS.upgradeUrl,
      maxBytes: DEFAULT_MEDIA_LIMITS.maxBytes,
    });
    // The limits the server passes leave the engine's own in force.
    expect({ ...DEFAULT_SEND_LIMITS, ...config.outbox.limits }).toEqual(DEFAULT_SEND_LIMITS);
  });

  it("applies, for every variable of the README's configuration table, the default the table states", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'));
    const rows = [...table.matchAll(/^\| `([A-Z_]+)` \| `([^`]+)` \|/gm)].map(
      ([, name, value]) => [name!, value!] as const,
    );
    expect(rows.length).toBeGreaterThan(40);
    const defaults = loadConfig({});
    for (const [name, value] of rows) expect(loadConfig({ [name]: value }), `${name}=${value}`).toEqual(defaults);
  });

  it("reads KIRIM_SEND_WARMUP and KIRIM_SEND_CHECK_RECIPIENTS as true/1 or false/0, and unset or empty as core's default", () => {
    for (const [value, expected] of [
      ['true', true],
      ['1', true],
      ['false', false],
      ['0', false],
      ['', false],
    ] as const) {
      expect(loadConfig({ KIRIM_SEND_WARMUP: value, KIRIM_SEND_CHECK_RECIPIENTS: value }).outbox.limits).toMatchObject({
        warmup: expected,
        check_recipients: expected,
      });
    }
    expect(() => loadConfig({ KIRIM_SEND_WARMUP: 'yes' })).toThrow(/KIRIM_SEND_WARMUP: /);
  });
});

describe('loadConfig reconnect settings', () => {
  it('refuses KIRIM_RECONNECT_MIN_MS above the default KIRIM_RECONNECT_MAX_MS when the max is unset, naming both (the check ran only when both were set, and the back-off bounds were inverted)', () => {
    expect(() => loadConfig({ KIRIM_RECONNECT_MIN_MS: '90000' })).toThrow(
      /KIRIM_RECONNECT_MIN_MS: KIRIM_RECONNECT_MAX_MS \(60000; 60000 when unset\) must not be below KIRIM_RECONNECT_MIN_MS \(90000\)\n\s+KIRIM_RECONNECT_MAX_MS: /,
    );
  });

  it('refuses KIRIM_RECONNECT_MAX_MS below KIRIM_RECONNECT_MIN_MS, and below the default min when that is unset', () => {
    expect(() => loadConfig({ KIRIM_RECONNECT_MIN_MS: '5000', KIRIM_RECONNECT_MAX_MS: '4000' })).toThrow(
      /KIRIM_RECONNECT_MAX_MS \(4000; .*\) must not be below KIRIM_RECONNECT_MIN_MS \(5000\)/,
    );
    expect(() => loadConfig({ KIRIM_RECONNECT_MAX_MS: '500' })).toThrow(
      /KIRIM_RECONNECT_MAX_MS \(500; .*\) must not be below KIRIM_RECONNECT_MIN_MS \(1000\)/,
    );
  });

  it('gives the Baileys transport the bounds it will use: the defaults when unset, each variable when set', () => {
    expect(loadConfig({}).reconnect).toEqual({
      minMs: DEFAULT_RECONNECT.backoff.minMs,
      maxMs: DEFAULT_RECONNECT.backoff.maxMs,
      giveUpLinkedMs: DEFAULT_RECONNECT.giveUpAfter.linkedMs,
      giveUpUnlinkedMs: DEFAULT_RECONNECT.giveUpAfter.unlinkedMs,
    });
    expect(
      loadConfig({
        KIRIM_RECONNECT_MIN_MS: '60000',
        KIRIM_RECONNECT_MAX_MS: '90000',
        KIRIM_RECONNECT_GIVE_UP_MS: '0',
        KIRIM_LINK_GIVE_UP_MS: '30000',
      }).reconnect,
    ).toEqual({ minMs: 60_000, maxMs: 90_000, giveUpLinkedMs: 0, giveUpUnlinkedMs: 30_000 });
  });
});
