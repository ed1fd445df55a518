import { KEY_BUNDLE_TYPE } from 'baileys';
import type { BinaryNode } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import type { KeyBundle } from './phone-signal.js';
import { child, childUInt, children, contentBytes, iqError, iqResult, uintBytes } from './stanzas.js';

/**
 * `xmlns=encrypt`: the pre-key service. Devices upload their keys (`set` with `list`), ask how many
 * are left (`count`), check their bundle (`digest`), rotate their signed pre-key (`rotate`), and fetch
 * other devices' bundles before a first message (`key`).
 */
export async function handleEncryptIq(connection: ClientConnection, iq: BinaryNode): Promise<BinaryNode> {
  const device = connection.device;
  if (!device) return iqError(iq, 401, 'not-authorized');

  if (iq.attrs.type === 'get') {
    if (child(iq, 'count')) {
      return iqResult(iq, [{ tag: 'count', attrs: { value: String(device.preKeys.size) } }]);
    }
    if (child(iq, 'digest')) {
      // Baileys only checks that a digest is there; without one it re-uploads every time.
      return iqResult(iq, [{ tag: 'digest', attrs: {} }]);
    }
    const keyRequest = child(iq, 'key');
    if (keyRequest)
      return iqResult(iq, [{ tag: 'list', attrs: {}, content: await bundlesFor(connection, keyRequest) }]);
    return iqResult(iq);
  }

  const rotate = child(iq, 'rotate');
  if (rotate) {
    const signedPreKey = readSignedPreKey(child(rotate, 'skey'));
    if (signedPreKey) device.keys = { ...device.keys, signedPreKey };
    return iqResult(iq);
  }

  const list = child(iq, 'list');
  if (list) {
    const identity = contentBytes(child(iq, 'identity'));
    const registrationId = childUInt(iq, 'registration');
    const signedPreKey = readSignedPreKey(child(iq, 'skey'));
    if (identity && registrationId !== undefined && signedPreKey) {
      device.keys = { identityKey: identity, registrationId, signedPreKey };
    }
    for (const key of children(list, 'key')) {
      const id = childUInt(key, 'id');
      const value = contentBytes(child(key, 'value'));
      if (id !== undefined && value) device.preKeys.set(id, value);
    }
    connection.network.log('pre-keys uploaded', { jid: device.jid, count: device.preKeys.size });
  }
  return iqResult(iq);
}

function readSignedPreKey(skey: BinaryNode | undefined): KeyBundle['signedPreKey'] | undefined {
  const keyId = childUInt(skey, 'id');
  const publicKey = contentBytes(child(skey, 'value'));
  const signature = contentBytes(child(skey, 'signature'));
  return keyId !== undefined && publicKey && signature ? { keyId, publicKey, signature } : undefined;
}

/** One `<user>` per requested device that exists; unknown devices are left out, as an error there fails the whole fetch. */
async function bundlesFor(connection: ClientConnection, keyRequest: BinaryNode): Promise<BinaryNode[]> {
  const nodes: BinaryNode[] = [];
  for (const user of children(keyRequest, 'user')) {
    const jid = user.attrs.jid;
    const resolved = jid ? connection.network.resolveDevice(jid) : undefined;
    if (!jid || !resolved) continue;
    const bundle = resolved.linked ? resolved.linked.takeBundle() : await resolved.account.signal.issueBundle();
    nodes.push(bundleNode(jid, bundle));
  }
  return nodes;
}

function bundleNode(jid: string, bundle: KeyBundle): BinaryNode {
  const content: BinaryNode[] = [
    { tag: 'registration', attrs: {}, content: uintBytes(bundle.registrationId, 4) },
    { tag: 'type', attrs: {}, content: KEY_BUNDLE_TYPE },
    { tag: 'identity', attrs: {}, content: bundle.identityKey },
    {
      tag: 'skey',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: uintBytes(bundle.signedPreKey.keyId, 3) },
        { tag: 'value', attrs: {}, content: bundle.signedPreKey.publicKey },
        { tag: 'signature', attrs: {}, content: bundle.signedPreKey.signature },
      ],
    },
  ];
  if (bundle.preKey) {
    content.push({
      tag: 'key',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: uintBytes(bundle.preKey.keyId, 3) },
        { tag: 'value', attrs: {}, content: bundle.preKey.publicKey },
      ],
    });
  }
  return { tag: 'user', attrs: { jid }, content };
}
