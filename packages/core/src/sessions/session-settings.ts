import { z } from 'zod';
import { sendLimitsSchema, type SendLimits } from '../outbox/send-limits.js';
import type { SecretBox } from '../webhooks/secret-box.js';
import type { SessionSettings } from './session-schemas.js';

const PROXY_PROTOCOLS = ['http:', 'https:', 'socks5:'];

/** A proxy a session's connections go through: `http://`, `https://` or `socks5://`, credentials allowed. */
export const proxyUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .refine(
    (value) => {
      const url = URL.canParse(value) ? new URL(value) : null;
      return !!url && PROXY_PROTOCOLS.includes(url.protocol) && url.hostname !== '' && url.pathname.length <= 1;
    },
    { message: 'must be an http://, https:// or socks5:// URL of a proxy (host, optional port and credentials)' },
  );

/** Session settings as the API takes them: the send limits, call rejection and the proxy; every one optional. */
export const sessionSettingsSchema = sendLimitsSchema
  .extend({
    /** Reject every incoming call. */
    reject_calls: z.boolean(),
    /** Sent to a caller whose call was rejected; null sends nothing. */
    reject_call_message: z.string().trim().min(1).max(1000).nullable(),
    /** Every connection of the session goes through it; null removes it. */
    proxy_url: proxyUrlSchema.nullable(),
  })
  .partial()
  .strict();

/** A session's settings as the API shows them: the proxy masked. */
export type SessionSettingsView = Partial<SendLimits> & {
  reject_calls?: boolean;
  reject_call_message?: string | null;
  /** `http://user:****@host:port`: the password never leaves the engine. */
  proxy_url?: string;
};

/** The settings to store after `changes`: the proxy URL sealed (it carries a password), a null one removed. */
export function storedSettings(
  current: SessionSettings,
  changes: z.output<typeof sessionSettingsSchema>,
  box: SecretBox,
): SessionSettings {
  const { proxy_url, ...rest } = changes;
  const { proxy_url: _old, ...kept } = current;
  const proxy = proxy_url === undefined ? current.proxy_url : proxy_url === null ? undefined : box.seal(proxy_url);
  return { ...kept, ...rest, ...(proxy ? { proxy_url: proxy } : {}) };
}

/** The stored settings as the API shows them. */
export function settingsView(settings: SessionSettings, box: SecretBox): SessionSettingsView {
  const proxy = proxyUrlOf(settings, box);
  return { ...(settings as SessionSettingsView), ...(proxy ? { proxy_url: maskedProxyUrl(proxy) } : {}) };
}

/** The session's proxy URL, opened; undefined without one. */
export function proxyUrlOf(settings: SessionSettings, box: SecretBox): string | undefined {
  return typeof settings.proxy_url === 'string' ? box.open(settings.proxy_url) : undefined;
}

/** `socks5://user:secret@host:1080` → `socks5://user:****@host:1080`. */
export function maskedProxyUrl(proxyUrl: string): string {
  const url = new URL(proxyUrl);
  const credentials = url.username || url.password ? `${url.username}${url.password ? ':****' : ''}@` : '';
  return `${url.protocol}//${credentials}${url.host}`;
}
