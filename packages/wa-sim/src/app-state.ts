import { randomBytes } from 'node:crypto';
import type { BinaryNode } from 'baileys';
import { decodeSyncdPatch, newLTHashState, proto } from 'baileys';
import type { ClientConnection } from './client-connection.js';
import type { LinkedDevice } from './linked-device.js';
import { sendToOwnDevice } from './initial-sync.js';
import type { SimPhone } from './sim-phone.js';
import { child, children, contentBytes, iqResult } from './stanzas.js';

/** One account's app state key: its id and the key data its phone shares with each linked device. */
interface AppStateKey {
  id: Buffer;
  data: proto.Message.IAppStateSyncKeyData;
}

const keys = new WeakMap<SimPhone, AppStateKey>();

/** The account's app state key, made on first use. */
function keyOf(phone: SimPhone): AppStateKey {
  let key = keys.get(phone);
  if (!key) {
    key = {
      id: randomBytes(6),
      data: { keyData: randomBytes(32), fingerprint: { rawId: 1, currentIndex: 0 }, timestamp: Date.now() },
    };
    keys.set(phone, key);
  }
  return key;
}

/**
 * The phone shares its app state key with a newly linked device, as WhatsApp's phone does: Baileys needs it to
 * write app state (the account's name is a `pushNameSetting` patch).
 */
export async function shareAppStateKey(device: LinkedDevice): Promise<void> {
  const key = keyOf(device.account);
  await sendToOwnDevice(device, {
    type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE,
    appStateSyncKeyShare: { keys: [{ keyId: { keyId: key.id }, keyData: key.data }] },
  });
}

/**
 * `xmlns=w:sync:app:state`: a `get` is answered as up to date with nothing in each collection asked (one left out
 * would make Baileys ask again forever); a `set`'s patches are decoded with the account's key and what the simulator
 * models is applied: the account's name.
 */
export async function handleAppStateIq(connection: ClientConnection, iq: BinaryNode): Promise<BinaryNode> {
  const collections = children(child(iq, 'sync'), 'collection');
  const account = connection.device?.account;
  if (iq.attrs.type === 'set' && account) {
    const key = keyOf(account);
    const keyFor = async (id: string) => (id === key.id.toString('base64') ? key.data : undefined);
    for (const collection of collections) {
      const bytes = contentBytes(child(collection, 'patch'));
      if (!bytes) continue;
      await decodeSyncdPatch(
        proto.SyncdPatch.decode(bytes),
        collection.attrs.name as Parameters<typeof decodeSyncdPatch>[1],
        newLTHashState(),
        keyFor,
        ({ syncAction }) => {
          const name = syncAction.value?.pushNameSetting?.name;
          if (name) account.pushName = name;
        },
        false,
      );
    }
  }
  return iqResult(iq, [
    {
      tag: 'sync',
      attrs: {},
      content: collections.map((collection) => ({
        tag: 'collection',
        attrs: { name: collection.attrs.name ?? '', version: collection.attrs.version ?? '0' },
      })),
    },
  ]);
}
