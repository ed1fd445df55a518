import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import { answerGroupChange } from './group-change-iq.js';
import { child, children, iqError, iqResult } from './stanzas.js';

/**
 * `xmlns=w:g2`: groups. Answers the participating list (`groupFetchAllParticipating`), one group's
 * metadata (`groupMetadata`), group creation (`groupCreate`), and the changes of {@link answerGroupChange}.
 */
export function handleGroupIq(connection: ClientConnection, iq: BinaryNode): BinaryNode {
  const { network } = connection;
  const account = connection.device?.account;
  if (!account) return iqError(iq, 401, 'not-authorized');

  if (child(iq, 'participating')) {
    const groups = network.groupsOf(account).map((group) => group.toNode());
    return iqResult(iq, [{ tag: 'groups', attrs: {}, content: groups }]);
  }

  if (child(iq, 'query')) {
    const group = network.groups.get(iq.attrs.to ?? '');
    if (!group) return iqError(iq, 404, 'item-not-found');
    if (!group.has(account)) return iqError(iq, 401, 'not-authorized');
    return iqResult(iq, [group.toNode()]);
  }

  const create = child(iq, 'create');
  if (create) {
    const members = children(create, 'participant').flatMap((p) => {
      const phone = p.attrs.jid ? network.findAccount(p.attrs.jid) : undefined;
      return phone ? [phone] : [];
    });
    const group = network.createGroup(create.attrs.subject ?? '', account, members);
    return iqResult(iq, [group.toNode()]);
  }

  return answerGroupChange(connection, iq, account) ?? iqResult(iq);
}
