import { hkdfSync, randomBytes } from 'node:crypto';
import { aesEncryptGCM, proto, type BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import { decodeMessage, mediaContentOf } from './decoded-message.js';
import type { SimNetwork } from './sim-network.js';
import { child, unixTime } from './stanzas.js';

const { ResultType } = proto.MediaRetryNotification;

/**
 * A linked device's media re-upload request (Baileys' `updateMediaMessage`: a `receipt` of type `server-error`
 * naming the message in `rmr`): the account's phone uploads the file again and answers with a `mediaretry`
 * notification carrying the new direct path, encrypted with a key derived from the message's media key.
 */
export function answerMediaRetry(connection: ClientConnection, receipt: BinaryNode): void {
  const device = connection.device;
  const id = receipt.attrs.id;
  const rmr = child(receipt, 'rmr');
  if (!device || !id || !rmr) return;
  const { network } = connection;
  const message = mediaMessageOf(network, id);
  const answer = (content: BinaryNode[]) =>
    device.deliver({
      tag: 'notification',
      attrs: { from: device.account.jid, type: 'mediaretry', id, t: unixTime() },
      content: [...content, { tag: 'rmr', attrs: { ...rmr.attrs } }],
    });
  if (!message) return answer([{ tag: 'error', attrs: { code: String(ResultType.NOT_FOUND) } }]);
  const { content } = mediaContentOf(message);
  const encSha256 = Buffer.from(content.fileEncSha256 ?? []).toString('base64');
  const file = network.media.uploads.find((hosted) => hosted.encSha256 === encSha256);
  const uploaded = file ? network.media.put(file.type, file.data) : undefined;
  const notification = proto.MediaRetryNotification.encode({
    stanzaId: id,
    directPath: uploaded?.directPath,
    result: uploaded ? ResultType.SUCCESS : ResultType.NOT_FOUND,
  }).finish();
  const key = Buffer.from(
    hkdfSync('sha256', content.mediaKey!, Buffer.alloc(0), 'WhatsApp Media Retry Notification', 32),
  );
  const iv = randomBytes(12);
  const ciphertext = aesEncryptGCM(notification, key, iv, Buffer.from(id));
  answer([
    {
      tag: 'encrypt',
      attrs: {},
      content: [
        { tag: 'enc_p', attrs: {}, content: ciphertext },
        { tag: 'enc_iv', attrs: {}, content: iv },
      ],
    },
  ]);
}

/** The media message with this id that a phone sent or received: every phone in the chat keeps its copy. */
function mediaMessageOf(network: SimNetwork, id: string): proto.IMessage | undefined {
  for (const phone of network.allPhones()) {
    const sent = phone.sent.get(id)?.message;
    if (sent && decodeMessage(sent).kind === 'media') return sent;
    const received = phone.received.find((message) => message.id === id && message.decoded.kind === 'media');
    if (received?.message) return received.message;
  }
  return undefined;
}
