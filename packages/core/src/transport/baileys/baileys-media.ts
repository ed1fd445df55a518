import { Agent as HttpsAgent } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { WASocket } from 'baileys';
import { Agent } from 'undici';
import { KirimError } from '../../errors.js';
import { MediaGoneError, type MediaDownload, type StoredMessage } from '../transport.js';
import type { BaileysModule } from './baileys-module.js';
import { deserialiseMessage, serialiseMessage } from './message-mapping.js';

/** How media requests reach a stand-in for WhatsApp's media hosts: Baileys' upload agent and download fetch options. */
export interface MediaRoute {
  fetchAgent: HttpsAgent;
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
  return { fetchAgent: new PlainAgent({ keepAlive: false }), fetchOptions: { dispatcher } as unknown as RequestInit };
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

/**
 * A message's media from WhatsApp's hosts, decrypted as it streams, from its stored `raw` alone (the keys and
 * the direct path are in it). Rejects with {@link MediaGoneError} when the hosts no longer have it.
 */
export async function downloadBaileysMedia(
  baileys: BaileysModule,
  message: StoredMessage,
  route: MediaRoute | undefined,
): Promise<MediaDownload> {
  const stored = message.raw === null ? undefined : deserialiseMessage(baileys, message.raw);
  const content = baileys.extractMessageContent(stored?.message);
  const kind = content ? baileys.getContentType(content) : undefined;
  const media = kind
    ? (content?.[kind] as { url?: string | null; mimetype?: string | null; fileName?: string | null })
    : undefined;
  if (!stored || !media || typeof media !== 'object' || !media.url)
    throw new KirimError('not_found', `Message ${message.messageId} carries no media of WhatsApp's`);
  try {
    const data = (await baileys.downloadMediaMessage(
      stored,
      'stream',
      route ? { options: route.fetchOptions } : {},
    )) as Readable;
    return { data, mimetype: media.mimetype ?? 'application/octet-stream', filename: media.fileName ?? null };
  } catch (error) {
    if (GONE.has(statusOf(error))) throw new MediaGoneError(message.messageId);
    throw error;
  }
}

/** Asks the phone to upload a message's media again (Baileys' media re-upload request); resolves with the new `raw`. */
export async function reuploadMedia(baileys: BaileysModule, sock: WASocket, message: StoredMessage): Promise<string> {
  if (message.raw === null) throw new KirimError('not_found', `Message ${message.messageId} carries no media`);
  const updated = await sock.updateMediaMessage(deserialiseMessage(baileys, message.raw));
  return serialiseMessage(baileys, updated);
}

// Baileys fails a download with a Boom carrying the host's status.
function statusOf(error: unknown): number {
  const boom = error as { output?: { statusCode?: number }; status?: number } | null;
  return boom?.output?.statusCode ?? boom?.status ?? 0;
}
