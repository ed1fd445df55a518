import { z } from 'zod';
import { KirimError } from '../errors.js';
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

/**
 * The settings to store after `changes`: the proxy URL sealed (it carries a password) beside its masked form, which
 * the API shows without opening it; a null one removed.
 */
export function storedSettings(
  current: SessionSettings,
  changes: z.output<typeof sessionSettingsSchema>,
  box: SecretBox,
): SessionSettings {
  const { proxy_url, ...rest } = changes;
  const { proxy_url: sealed, proxy_url_masked: masked, ...kept } = current;
  const proxy =
    proxy_url === undefined
      ? sealed === undefined
        ? {}
        : { proxy_url: sealed, proxy_url_masked: masked }
      : proxy_url === null
        ? {}
        : { proxy_url: box.seal(proxy_url), proxy_url_masked: maskedProxyUrl(proxy_url) };
  return { ...kept, ...rest, ...proxy };
}

/** The stored settings as the API shows them: the proxy masked. */
export function settingsView(settings: SessionSettings): SessionSettingsView {
  const { proxy_url: sealed, proxy_url_masked: masked, ...rest } = settings;
  return { ...(rest as SessionSettingsView), ...(sealed === undefined ? {} : { proxy_url: String(masked) }) };
}

/** The session's proxy URL, opened; undefined without one. */
export function proxyUrlOf(settings: SessionSettings, box: SecretBox): string | undefined {
  if (typeof settings.proxy_url !== 'string') return undefined;
  try {
    return box.open(settings.proxy_url);
  } catch (error) {
    throw new KirimError(
      'unavailable',
      "proxy unreadable: the session's proxy_url was sealed with another KIRIM_SECRET_KEY; set the same key in every process, or set proxy_url again",
      { cause: error },
    );
  }
}

/** `socks5://user:secret@host:1080` → `socks5://user:****@host:1080`. */
export function maskedProxyUrl(proxyUrl: string): string {
  const url = new URL(proxyUrl);
  const credentials = url.username || url.password ? `${url.username}${url.password ? ':****' : ''}@` : '';
  return `${url.protocol}//${credentials}${url.host}`;
}
