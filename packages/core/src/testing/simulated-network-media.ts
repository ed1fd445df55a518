import { Readable } from 'node:stream';
import { KirimError } from '../errors.js';
import { MediaGoneError, type MediaDownload, type OutgoingMedia, type StoredMessage } from '../transport/transport.js';

/**
 * The media the simulated network carried, kept by message id as WhatsApp's media hosts keep it: any process
 * downloads it by the message alone, until a test expires it; the sender's phone then uploads it again on request.
 */
export class SimulatedMediaHost {
  private readonly files = new Map<string, { media: OutgoingMedia; expired: boolean; reuploads: number }>();

  /** Keeps the media a message carries (every media message the network takes). */
  keep(messageId: string, media: OutgoingMedia): void {
    this.files.set(messageId, { media, expired: false, reuploads: 0 });
  }

  /** The media a message carried, expired or not (a forward sends it again). */
  bytes(messageId: string): OutgoingMedia | undefined {
    return this.files.get(messageId)?.media;
  }

  /** WhatsApp's copy expires: downloads fail with {@link MediaGoneError} until the phone uploads it again. */
  expire(messageId: string): void {
    const file = this.files.get(messageId);
    if (!file) throw new Error(`No media of message ${messageId} on this network`);
    file.expired = true;
  }

  /** A message's media as the transport's `downloadMedia` gives it. */
  download(message: StoredMessage): MediaDownload {
    const file = this.files.get(message.messageId);
    if (!file || message.raw === null)
      throw new KirimError('not_found', `Message ${message.messageId} carries no media of this network`);
    if (file.expired) throw new MediaGoneError(message.messageId);
    const { data, mimetype, filename } = file.media;
    return { data: Readable.from([data]), mimetype, filename: filename ?? null };
  }

  /** The phone uploads a message's media again; resolves with its `raw`, which the simulation keeps as it was. */
  reupload(message: StoredMessage): string {
    const file = this.files.get(message.messageId);
    if (!file || message.raw === null) throw new Error(`No media of message ${message.messageId} on this network`);
    file.expired = false;
    file.reuploads += 1;
    return message.raw;
  }

  /** How many times the phone was asked to upload a message's media again. */
  reuploads(messageId: string): number {
    return this.files.get(messageId)?.reuploads ?? 0;
  }
}
