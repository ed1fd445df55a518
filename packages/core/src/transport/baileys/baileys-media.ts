import { createDecipheriv } from 'node:crypto';
import { Agent as HttpsAgent } from 'node:https';
import { connect, type Socket } from 'node:net';
import { pipeline, Transform } from 'node:stream';
import type { MediaType, WASocket } from 'baileys';
import { Agent, request, type Dispatcher } from 'undici';
import { KirimError } from '../../errors.js';
import { MediaGoneError, type MediaDownload, type StoredMessage } from '../transport.js';
import type { BaileysModule } from './baileys-module.js';
import { deserialiseMessage, serialiseMessage } from './message-mapping.js';

/** How media requests reach a stand-in for WhatsApp's media hosts: Baileys' upload agent and download fetch options. */
export interface MediaRoute {
  fetchAgent: HttpsAgent;
  /** The transport's own downloads go through this dispatcher. */
  dispatcher: Dispatcher;
  /** `fetch` options with the dispatcher (undici's own, which Node's `fetch` takes). */
  fetchOptions: RequestInit;
}

// WhatsApp's hosts answer these once a file has expired: the phone must upload it again.
const GONE = new Set([404, 410]);

/**
 * Sends every media upload and download to `url` (`http://host:port`) as plain HTTP, whatever host the
 * `https://` URL names: tests point it at `@kirim/wa-sim`'s media host, as `waWebSocketUrl` points the socket
 * at wa-sim. Everything else (the URLs, Baileys' code paths) stays as with WhatsApp.
 */
export function mediaRouteTo(url: string): MediaRoute {
  const target = new URL(url);
  const port = Number(target.port || 80);
  // Baileys uploads through `https.request` with this agent: its connections are plain TCP to the target.
  class PlainAgent extends HttpsAgent {
    override createConnection(): Socket {
      return connect({ host: target.hostname, port });
    }
  }
  const dispatcher = new Agent().compose(
    (dispatch) => (options, handler) => dispatch({ ...options, origin: target.origin }, handler),
  );
  return {
    fetchAgent: new PlainAgent({ keepAlive: false }),
    dispatcher,
    fetchOptions: { dispatcher } as unknown as RequestInit,
  };
}

/** The Baileys module with its sockets' media routed as `route` says (for `makeWASocket`'s `fetchAgent` and `options`). */
export function withMediaRoute(baileys: BaileysModule, route: MediaRoute | undefined): BaileysModule {
  if (!route) return baileys;
  return {
    ...baileys,
    makeWASocket: (config) =>
      baileys.makeWASocket({
        ...config,
        fetchAgent: route.fetchAgent,
        options: { ...config.options, ...route.fetchOptions },
      }),
  };
}

/** What a media message of WhatsApp's carries to fetch and decrypt its file. */
interface WhatsAppMedia {
  url?: string | null;
  directPath?: string | null;
  mediaKey?: Uint8Array | null;
  mimetype?: string | null;
  fileName?: string | null;
}

/**
 * A message's media from WhatsApp's hosts, decrypted as it streams, from its stored `raw` alone (the keys and
 * the direct path are in it). Rejects with {@link MediaGoneError} when the hosts no longer have it. Destroying
 * `data` ends the download from WhatsApp too (Baileys' own download leaves it hanging on a reader that leaves).
 */
export async function downloadBaileysMedia(
  baileys: BaileysModule,
  message: StoredMessage,
  route: MediaRoute | undefined,
  /** What the request goes through (the session's proxy); default the route's dispatcher. */
  dispatcher: Dispatcher | undefined = route?.dispatcher,
): Promise<MediaDownload> {
  const stored = message.raw === null ? undefined : deserialiseMessage(baileys, message.raw);
  const content = baileys.extractMessageContent(stored?.message);
  const kind = content ? baileys.getContentType(content) : undefined;
  const media = kind ? (content?.[kind] as WhatsAppMedia | undefined) : undefined;
  if (!kind || !media?.mediaKey || !(media.directPath || media.url))
    throw new KirimError('not_found', `Message ${message.messageId} carries no media of WhatsApp's`);
  // As Baileys' downloadContentFromMessage: the direct path on the host the URL names, else the URL.
  const url = media.directPath ? baileys.getUrlFromDirectPath(media.directPath, hostOf(media.url)) : media.url!;
  // The sender wrote both: anywhere but WhatsApp's hosts, this server would fetch what a stranger named (an
  // address inside its network). The test-only route sends every request to its host whatever the URL says.
  if (!route && !onWhatsAppsHosts(url))
    throw new KirimError('not_found', `Message ${message.messageId} names media outside WhatsApp's media hosts`, {
      details: { message_id: ["names its media on a host that is not WhatsApp's"] },
    });
  const { cipherKey, iv } = await baileys.getMediaKeys(media.mediaKey, kind.replace('Message', '') as MediaType);
  const response = await request(url, {
    dispatcher,
    headers: { origin: baileys.DEFAULT_ORIGIN },
  }).catch((error: unknown) => {
    throw new KirimError('unavailable', "WhatsApp's media host could not be reached", { cause: error });
  });
  if (response.statusCode !== 200) {
    await response.body.dump();
    if (GONE.has(response.statusCode)) throw new MediaGoneError(message.messageId);
    throw new KirimError('unavailable', `WhatsApp's media host answered ${response.statusCode}`);
  }
  const data = decrypting(cipherKey, iv);
  // pipeline destroys each end when the other goes: a reader that leaves releases WhatsApp's connection.
  pipeline(response.body, data, () => undefined);
  return { data, mimetype: media.mimetype ?? 'application/octet-stream', filename: media.fileName ?? null };
}

/** AES-256-CBC decryption of a WhatsApp media file as it streams: whole blocks only, so its trailing 10-byte MAC is left out. */
function decrypting(cipherKey: Uint8Array, iv: Uint8Array): Transform {
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  let pending = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const bytes = Buffer.concat([pending, chunk]);
      const whole = bytes.length - (bytes.length % 16);
      pending = bytes.subarray(whole);
      try {
        done(null, decipher.update(bytes.subarray(0, whole)));
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        done(null, decipher.final());
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

/** Whether `url` is https on WhatsApp's media hosts (`mmg.whatsapp.net`, `media-….cdn.whatsapp.net`, …). */
function onWhatsAppsHosts(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === 'https:' && (hostname === 'whatsapp.net' || hostname.endsWith('.whatsapp.net'));
  } catch {
    return false;
  }
}

function hostOf(url: string | null | undefined): string | undefined {
  try {
    return url ? new URL(url).host : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the phone to upload a message's media again (Baileys' media re-upload request); resolves with the new `raw`. */
export async function reuploadMedia(baileys: BaileysModule, sock: WASocket, message: StoredMessage): Promise<string> {
  if (message.raw === null) throw new KirimError('not_found', `Message ${message.messageId} carries no media`);
  const updated = await sock.updateMediaMessage(deserialiseMessage(baileys, message.raw));
  return serialiseMessage(baileys, updated);
}
