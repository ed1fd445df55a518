import { readFileSync } from 'node:fs';
import * as core from '@kirim/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig defaults', () => {
  it("takes every default from core's exported constants", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      leaseMs: core.DEFAULT_SESSION_LEASE.leaseMs,
      heartbeatMs: core.DEFAULT_SESSION_LEASE.heartbeatMs,
      authCacheMs: core.DEFAULT_AUTH_CACHE_MS,
      defaultCountryCode: core.DEFAULT_COUNTRY_CODE,
      leadSource: {
        nominatimUrl: core.DEFAULT_NOMINATIM_URL,
        overpassUrl: core.DEFAULT_OVERPASS_URL,
        googlePlacesUrl: core.DEFAULT_GOOGLE_PLACES_URL,
      },
      eventLog: {
        pollMs: core.DEFAULT_EVENT_LOG_OPTIONS.pollMs,
        retentionMs: core.DEFAULT_EVENT_LOG_OPTIONS.retentionMs,
      },
    });
    expect(config.webhooks).toEqual(core.DEFAULT_WEBHOOK_TIMINGS);
    expect(config.outbox).toEqual({
      limits: {
        min_gap_ms: core.DEFAULT_SEND_LIMITS.min_gap_ms,
        jitter_ms: core.DEFAULT_SEND_LIMITS.jitter_ms,
        daily_cap: core.DEFAULT_SEND_LIMITS.daily_cap,
        warmup: core.DEFAULT_SEND_LIMITS.warmup,
        check_recipients: core.DEFAULT_SEND_LIMITS.check_recipients,
      },
      sendWaitMs: core.DEFAULT_SEND_SERVICE_OPTIONS.sendWaitMs,
      pollMs: core.DEFAULT_DISPATCHER_OPTIONS.pollMs,
      unknownGraceMs: core.DEFAULT_DISPATCHER_OPTIONS.unknownGraceMs,
      retryDelayMs: core.DEFAULT_DISPATCHER_OPTIONS.retryDelayMs,
      optOutWords: core.DEFAULT_OPT_OUT_WORDS,
      upgradeUrl: core.DEFAULT_SEND_SERVICE_OPTIONS.upgradeUrl,
      maxBytes: core.DEFAULT_MEDIA_LIMITS.maxBytes,
    });
    // The limits the server passes leave the engine's own in force.
    expect({ ...core.DEFAULT_SEND_LIMITS, ...config.outbox.limits }).toEqual(core.DEFAULT_SEND_LIMITS);
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
      minMs: core.DEFAULT_RECONNECT.backoff.minMs,
      maxMs: core.DEFAULT_RECONNECT.backoff.maxMs,
      giveUpLinkedMs: core.DEFAULT_RECONNECT.giveUpAfter.linkedMs,
      giveUpUnlinkedMs: core.DEFAULT_RECONNECT.giveUpAfter.unlinkedMs,
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

describe('loadConfig METRICS_PORT', () => {
  it('is unset by default (metrics only on the API port, for an admin), and read as a port when set', () => {
    expect(loadConfig({}).metricsPort).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
  });

  it('refuses a METRICS_PORT that is no port, naming it', () => {
    for (const value of ['metrics', '65536', '-1', '94.5'])
      expect(() => loadConfig({ METRICS_PORT: value }), value).toThrow(/\n {2}METRICS_PORT: /);
  });

  it("refuses METRICS_PORT equal to PORT (its open metrics would bypass the API's admin token), saying which port", () => {
    expect(() => loadConfig({ PORT: '8000', METRICS_PORT: '8000' })).toThrow(
      /METRICS_PORT: must differ from PORT \(8000\)/,
    );
    expect(() => loadConfig({ METRICS_PORT: '8000' })).toThrow(/METRICS_PORT: must differ from PORT \(8000\)/);
    expect(loadConfig({ PORT: '0', METRICS_PORT: '0' })).toMatchObject({ port: 0, metricsPort: 0 });
  });
});

describe('loadConfig METRICS_HOST', () => {
  it('serves the tokenless metrics on loopback by default, whatever HOST is, and on the interface METRICS_HOST names', () => {
    expect(loadConfig({ HOST: '0.0.0.0', METRICS_PORT: '9464' }).metricsHost).toBe('127.0.0.1');
    expect(loadConfig({ METRICS_HOST: '' }).metricsHost).toBe('127.0.0.1');
    expect(loadConfig({ METRICS_HOST: '0.0.0.0' }).metricsHost).toBe('0.0.0.0');
    expect(loadConfig({ METRICS_HOST: '10.0.0.5' }).metricsHost).toBe('10.0.0.5');
  });
});
