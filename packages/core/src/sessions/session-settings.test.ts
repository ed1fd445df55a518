import { describe, expect, it } from 'vitest';
import { parse } from '../validation.js';
import { createSecretBox } from '../webhooks/secret-box.js';
import { maskedProxyUrl, proxyUrlOf, sessionSettingsSchema, settingsView, storedSettings } from './session-settings.js';

const box = createSecretBox('session-settings-test-key');

describe('session settings', () => {
  it('masks the password of a proxy URL and keeps its user, host and port', () => {
    expect(maskedProxyUrl('http://user:secret@proxy.example:3128')).toBe('http://user:****@proxy.example:3128');
    expect(maskedProxyUrl('socks5://127.0.0.1:1080')).toBe('socks5://127.0.0.1:1080');
    expect(maskedProxyUrl('https://only-user@proxy.example')).toBe('https://only-user@proxy.example');
  });

  it('stores the proxy URL sealed, opens it for the transport, shows it masked, and removes it on null', () => {
    const changes = parse(sessionSettingsSchema, { proxy_url: 'socks5://u:p4ss@127.0.0.1:1080', daily_cap: 10 });
    const stored = storedSettings({ min_gap_ms: 1 }, changes, box);
    expect(stored).toMatchObject({ min_gap_ms: 1, daily_cap: 10 });
    expect(JSON.stringify(stored)).not.toContain('p4ss');
    expect(proxyUrlOf(stored, box)).toBe('socks5://u:p4ss@127.0.0.1:1080');
    expect(settingsView(stored)).toEqual({
      min_gap_ms: 1,
      daily_cap: 10,
      proxy_url: 'socks5://u:****@127.0.0.1:1080',
    });
    expect(storedSettings(stored, parse(sessionSettingsSchema, { jitter_ms: 5 }), box).proxy_url).toBe(
      stored.proxy_url,
    );
    expect(storedSettings(stored, parse(sessionSettingsSchema, { proxy_url: null }), box)).toEqual({
      min_gap_ms: 1,
      daily_cap: 10,
    });
  });

  it('shows the proxy masked without opening it, and says it is unreadable when sealed under another key', () => {
    const stored = storedSettings({}, parse(sessionSettingsSchema, { proxy_url: 'http://u:pw@10.0.0.1:3128' }), box);
    const otherKey = createSecretBox('another-session-settings-key');
    expect(settingsView(stored)).toEqual({ proxy_url: 'http://u:****@10.0.0.1:3128' });
    expect(() => proxyUrlOf(stored, otherKey)).toThrow(
      expect.objectContaining({
        code: 'unavailable',
        message: expect.stringMatching(/^proxy unreadable: .*KIRIM_SECRET_KEY/),
      }),
    );
  });
});
