import { jidDecode } from 'baileys';
import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import { digitsOf } from './sim-network.js';
import type { SimPhone } from './sim-phone.js';
import { child, children, contentText, elementChildren, iqResult } from './stanzas.js';

/**
 * `xmlns=usync`: user lookups. Each `<user>` is answered for the protocols the query asked for:
 * `devices` (the device list Baileys encrypts to), `lid` (the user's LID), `contact` (is the number
 * on WhatsApp, for `onWhatsApp`), `status` (the about text). Other protocols (disappearing mode, ...) are not answered.
 */
export function handleUsyncIq(connection: ClientConnection, iq: BinaryNode): BinaryNode {
  const usync = child(iq, 'usync');
  const protocols = new Set(elementChildren(child(usync, 'query')).map((node) => node.tag));
  const users = children(child(usync, 'list'), 'user').map((user) => answerUser(connection, user, protocols));
  return iqResult(iq, [
    {
      tag: 'usync',
      attrs: { sid: usync?.attrs.sid ?? '', index: '0', last: 'true', mode: usync?.attrs.mode ?? 'query' },
      content: [{ tag: 'list', attrs: {}, content: users }],
    },
  ]);
}

function answerUser(connection: ClientConnection, user: BinaryNode, protocols: Set<string>): BinaryNode {
  const { network } = connection;
  let jid: string;
  let account: SimPhone | undefined;
  if (user.attrs.jid) {
    const decoded = jidDecode(user.attrs.jid);
    jid = decoded ? `${decoded.user}@${decoded.server}` : user.attrs.jid;
    account = network.findAccount(jid);
  } else {
    // A phone lookup carries the number (`+digits`) as the content of its `<contact>`.
    const digits = digitsOf(contentText(child(user, 'contact')) ?? '');
    jid = `${digits}@s.whatsapp.net`;
    account = network.findAccount(digits);
  }

  const content: BinaryNode[] = [];
  if (protocols.has('devices')) {
    const devices: BinaryNode[] = account
      ? [
          { tag: 'device', attrs: { id: '0' } },
          // Companion devices need a key index, or Baileys skips them.
          ...[...account.devices.values()].map((d) => ({
            tag: 'device',
            attrs: { id: String(d.deviceId), 'key-index': String(d.deviceId) },
          })),
        ]
      : [];
    content.push({ tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: devices }] });
  }
  if (protocols.has('lid') && account && !jid.endsWith('@lid')) {
    content.push({ tag: 'lid', attrs: { val: account.lidJid } });
  }
  if (protocols.has('status')) {
    // An about text shows as the node's content; none is an empty node (Baileys reads it as null).
    const about = account?.profile.about;
    content.push({ tag: 'status', attrs: { t: '0' }, ...(about ? { content: Buffer.from(about) } : {}) });
  }
  if (protocols.has('contact')) {
    content.push({ tag: 'contact', attrs: { type: account ? 'in' : 'out' } });
  }
  return { tag: 'user', attrs: { jid }, content };
}
