import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import type { SimPhone } from './sim-phone.js';
import { child, children, contentBytes, contentText, iqError, iqResult } from './stanzas.js';

/** The account of the linked device asking, which sets its own profile and blocklist. */
function ownAccount(connection: ClientConnection): SimPhone | undefined {
  return connection.device?.account;
}

/**
 * `xmlns=w:profile:picture`: `get` answers the target's picture URL (404 when it has none, as WhatsApp does);
 * `set` without a target stores the asking account's own new picture.
 */
export function handlePictureIq(connection: ClientConnection, iq: BinaryNode): BinaryNode {
  if (iq.attrs.type === 'set') {
    const jpeg = contentBytes(child(iq, 'picture'));
    const account = ownAccount(connection);
    if (!account || !jpeg || iq.attrs.target) return iqError(iq, 400, 'bad-request');
    account.profile.setPicture(jpeg);
    return iqResult(iq);
  }
  const picture = connection.network.findAccount(iq.attrs.target ?? '')?.profile.picture;
  if (!picture) return iqError(iq, 404, 'item-not-found');
  return iqResult(iq, [{ tag: 'picture', attrs: { type: 'image', id: '1', url: picture, direct_path: picture } }]);
}

/** `xmlns=status` `set`: the asking account's about text. */
export function handleStatusIq(connection: ClientConnection, iq: BinaryNode): BinaryNode {
  const account = ownAccount(connection);
  if (!account) return iqError(iq, 401, 'not-authorized');
  account.profile.about = contentText(child(iq, 'status')) ?? '';
  return iqResult(iq);
}

/** `xmlns=w:biz` `get`: each asked account's business profile; an account that is not a business is left out. */
export function handleBusinessIq(connection: ClientConnection, iq: BinaryNode): BinaryNode {
  const asked = children(child(iq, 'business_profile'), 'profile');
  const profiles = asked.flatMap((node): BinaryNode[] => {
    const business = connection.network.findAccount(node.attrs.jid ?? '')?.profile.business;
    if (!business) return [];
    const text = (tag: string, value: string | undefined): BinaryNode[] =>
      value ? [{ tag, attrs: {}, content: Buffer.from(value) }] : [];
    return [
      {
        tag: 'profile',
        attrs: { jid: node.attrs.jid! },
        content: [
          ...text('description', business.description),
          ...text('email', business.email),
          ...text('website', business.website),
          ...text('address', business.address),
          ...(business.category
            ? [{ tag: 'categories', attrs: {}, content: text('category', business.category) }]
            : []),
        ],
      },
    ];
  });
  return iqResult(iq, [{ tag: 'business_profile', attrs: { v: '244' }, content: profiles }]);
}

/**
 * `xmlns=blocklist`: `get` lists whom the asking account blocks (by LID, as WhatsApp does), `set` blocks or
 * unblocks one (`jid` the LID, `pn_jid` the number when blocking).
 */
export function handleBlocklistIq(connection: ClientConnection, iq: BinaryNode): BinaryNode {
  const account = ownAccount(connection);
  if (!account) return iqError(iq, 401, 'not-authorized');
  const { blocked } = account.profile;
  if (iq.attrs.type === 'set') {
    const item = child(iq, 'item');
    const target = connection.network.findAccount(item?.attrs.pn_jid ?? item?.attrs.jid ?? '');
    if (!item || !target) return iqError(iq, 400, 'bad-request');
    if (item.attrs.action === 'block') blocked.add(target.number);
    else blocked.delete(target.number);
    return iqResult(iq);
  }
  const items = [...blocked].map((number) => {
    const target = connection.network.findAccount(number);
    return { tag: 'item', attrs: { jid: target?.lidJid ?? `${number}@s.whatsapp.net` } };
  });
  return iqResult(iq, [{ tag: 'list', attrs: {}, content: items }]);
}
