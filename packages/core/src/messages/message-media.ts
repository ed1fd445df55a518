import { pipeline, Transform, type Readable } from 'node:stream';
import type { Actor } from '../actor.js';
import { clockTimeout, type Clock } from '../clock.js';
import { KirimError } from '../errors.js';
import { storedMessage } from '../outbox/message-action-rows.js';
import type { SessionManager } from '../sessions/session-manager.js';
import { proxyUrlOf } from '../sessions/session-settings.js';
import type { SecretBox } from '../webhooks/secret-box.js';
import type { Storage } from '../storage/storage.js';
import { MediaGoneError, type MediaDownload } from '../transport/transport.js';
import type { Message } from './message-schemas.js';
import { ownedMessage } from './owned-message.js';

/** How long the phone gets to upload expired media again before the download is given up: 30 s. */
export const MEDIA_REFRESH_TIMEOUT_MS = 30_000;

/** A message's media as it streams from WhatsApp, decrypted, with a filename and its length when announced. */
export interface MediaFile extends MediaDownload {
  /** The sender's file name, else the message id with the type's extension (`3EB0….jpeg`). */
  filename: string;
  /** Bytes, as WhatsApp announced them; null when unknown. */
  size: number | null;
}

/** The media of stored messages, fetched from WhatsApp on demand (bytes are never stored). */
export interface MessageMediaService {
  /**
   * The media of a message of the caller's sessions, by WhatsApp id, from WhatsApp's media hosts: any process
   * sharing the database serves it. When WhatsApp's copy expired, the process driving the session asks the phone to
   * upload it again; another process answers `unavailable`. `not_found` naming `message_id` for a message not the
   * caller's, or without media.
   */
  download(actor: Actor, messageId: string): Promise<MediaFile>;
}

/** Builds the media service over the session manager (the transport, and the links this process drives). */
export function createMessageMediaService(deps: {
  storage: Storage;
  clock: Clock;
  manager: SessionManager;
  /** Opens the sessions' sealed proxy URLs: a session's media is fetched through its proxy. */
  secretBox?: SecretBox;
}): MessageMediaService {
  const { storage, clock, manager } = deps;

  async function fetchOptions(sessionId: string): Promise<{ proxyUrl?: string }> {
    const session = await storage.sessions.getById(sessionId);
    const proxyUrl = session && deps.secretBox ? proxyUrlOf(session.settings, deps.secretBox) : undefined;
    return proxyUrl ? { proxyUrl } : {};
  }

  async function mediaMessage(actor: Actor, messageId: string): Promise<Message & { session_id: string }> {
    const message = await ownedMessage(storage, actor, messageId);
    if (!message.media || !message.raw)
      throw new KirimError('not_found', 'The message has no media', {
        details: { message_id: [message.media ? 'has not been sent: WhatsApp has no media for it' : 'has no media'] },
      });
    return message;
  }

  // Downloads of one expired file at once share one request to the phone.
  const refreshing = new Map<string, Promise<string>>();
  function refreshedOnce(message: Message & { session_id: string }): Promise<string> {
    const key = `${message.session_id}:${message.message_id}`;
    let pending = refreshing.get(key);
    if (!pending) {
      pending = refreshed(message).finally(() => refreshing.delete(key));
      refreshing.set(key, pending);
    }
    return pending;
  }

  /** Asks the phone, through the link this process drives, to upload the media again; stores the new keys. */
  async function refreshed(message: Message & { session_id: string }): Promise<string> {
    const connection = manager.connection(message.session_id);
    if (!connection)
      throw new KirimError(
        'unavailable',
        'WhatsApp no longer has this media: only the process connected to its session can ask the phone to upload it again; try again there, or once the session is connected',
      );
    const limit = clockTimeout(clock, MEDIA_REFRESH_TIMEOUT_MS, { hold: false });
    try {
      const raw = await Promise.race([
        connection.refreshMedia(storedMessage(message)),
        new Promise<never>((_resolve, reject) =>
          limit.signal.addEventListener('abort', () => reject(limit.signal.reason as Error), { once: true }),
        ),
      ]);
      await storage.messages.updateRaw(message.session_id, message.message_id!, raw);
      return raw;
    } catch (error) {
      throw new KirimError('unavailable', 'WhatsApp no longer has this media, and the phone did not upload it again', {
        cause: error,
      });
    } finally {
      limit.clear();
    }
  }

  return {
    async download(actor, messageId) {
      const message = await mediaMessage(actor, messageId);
      const transport = manager.requireTransport();
      const size = message.media?.size ?? null;
      const file = (download: MediaDownload): MediaFile => {
        const mimetype = servable(download.mimetype);
        return {
          data: size === null ? download.data : exactly(size, download.data),
          mimetype,
          filename: download.filename ?? `${messageId}.${extensionOf(mimetype)}`,
          size,
        };
      };
      const through = await fetchOptions(message.session_id);
      try {
        return file(await transport.downloadMedia(storedMessage(message), through));
      } catch (error) {
        if (!(error instanceof MediaGoneError)) throw error;
      }
      const raw = await refreshedOnce(message);
      const again = await transport
        .downloadMedia({ ...storedMessage(message), raw }, through)
        .catch((error: unknown) => {
          if (!(error instanceof MediaGoneError)) throw error;
          throw new KirimError(
            'unavailable',
            'WhatsApp has no copy of this media even after the phone uploaded it again',
            {
              cause: error,
            },
          );
        });
      return file(again);
    },
  };
}

/**
 * `data`, failing unless it is exactly `size` bytes: the size is the sender's word, and a response that announced it
 * as its length must be cut short rather than end early or run over. Destroying the result destroys `data`.
 */
function exactly(size: number, data: Readable): Readable {
  let seen = 0;
  const fail = () => new Error(`the media is not the ${size} bytes its sender announced`);
  const checked = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > size ? fail() : null, chunk);
    },
    flush: (done) => done(seen === size ? null : fail()),
  });
  pipeline(data, checked, () => undefined);
  return checked;
}

// A media type as an HTTP header carries it: type/subtype and unquoted parameters, ASCII tokens only (RFC 9110).
const MEDIA_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(?:\s*;\s*[\w!#$&^.+-]+=[\w!#$&^.+-]+)*$/;

/**
 * `mimetype` when a `Content-Type` header can carry it as it is, else `application/octet-stream`: it is the sender's
 * word, and a control character or a non-ASCII one would fail the response (a 500) instead of serving the bytes.
 */
function servable(mimetype: string): string {
  return MEDIA_TYPE.test(mimetype) ? mimetype : 'application/octet-stream';
}

/** A file name extension for a media type: its subtype (`image/jpeg` → `jpeg`, `audio/ogg; codecs=opus` → `ogg`). */
function extensionOf(mimetype: string): string {
  const subtype = /^[\w.+-]+\/([\w-]{1,10})(?:[;\s]|$)/.exec(mimetype)?.[1];
  return subtype ?? 'bin';
}
