import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import { handleDeviceIq } from './device-iq.js';
import { handleGroupIq } from './group-iq.js';
import { handleEncryptIq } from './prekey-iq.js';
import { child, iqResult } from './stanzas.js';
import { handleUsyncIq } from './usync-iq.js';
import { handleAppStateIq } from './app-state.js';
import { handleBlocklistIq, handleBusinessIq, handlePictureIq, handleStatusIq } from './profile-iq.js';

type IqHandler = (connection: ClientConnection, iq: BinaryNode) => BinaryNode | Promise<BinaryNode>;

/** Privacy settings every simulated account has (Baileys reads `readreceipts` to choose its read receipt type). */
const PRIVACY_SETTINGS: Record<string, string> = {
  last: 'all',
  online: 'all',
  profile: 'all',
  status: 'all',
  groupadd: 'all',
  readreceipts: 'all',
  calladd: 'all',
};

const handlers: Record<string, IqHandler> = {
  encrypt: handleEncryptIq,
  usync: handleUsyncIq,
  'w:g2': handleGroupIq,
  md: handleDeviceIq,
  abt: (_connection, iq) => iqResult(iq, [{ tag: 'props', attrs: { protocol: '1', hash: 'wa-sim' } }]),
  blocklist: handleBlocklistIq,
  'w:profile:picture': handlePictureIq,
  status: handleStatusIq,
  'w:biz': handleBusinessIq,
  privacy: (_connection, iq) =>
    iq.attrs.type === 'get' && child(iq, 'privacy')
      ? iqResult(iq, [
          {
            tag: 'privacy',
            attrs: {},
            content: Object.entries(PRIVACY_SETTINGS).map(([name, value]) => ({
              tag: 'category',
              attrs: { name, value },
            })),
          },
        ])
      : iqResult(iq),
  'w:sync:app:state': handleAppStateIq,
  // Where media is uploaded: the simulated media hosts, with the upload auth.
  'w:m': (connection, iq) => iqResult(iq, [connection.network.media.mediaConn()]),
};

/**
 * Answers a client's `iq` (`get`/`set`) by its `xmlns`. Every query gets an answer, because Baileys
 * waits up to a minute for one: namespaces the simulator does not model get an empty `result`.
 */
export async function answerIq(connection: ClientConnection, iq: BinaryNode): Promise<BinaryNode> {
  const handler = handlers[iq.attrs.xmlns ?? ''];
  return handler ? handler(connection, iq) : iqResult(iq);
}
