import type { AuthenticationState, PresenceData } from 'baileys';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectBaileys, linkBaileys, type TestClient } from './baileys-test-client.js';
import { startWaSim, type SimPhone, type WaSim } from './index.js';

let sim: WaSim;
const clients: TestClient[] = [];

/** A Baileys socket on the simulator, ended after the test. */
function client(auth?: AuthenticationState): TestClient {
  const created = connectBaileys(sim, auth);
  clients.push(created);
  return created;
}

/** One `presence.update` Baileys emitted: the chat (`id`) and the presence of one participant in it. */
interface SeenPresence {
  id: string;
  participant: string;
  presence: PresenceData;
}

/** Records every `presence.update` of a socket, and waits for one matching a predicate (past or future). */
function watchPresences(linked: TestClient) {
  const seen: SeenPresence[] = [];
  linked.sock.ev.on('presence.update', ({ id, presences }) => {
    for (const [participant, presence] of Object.entries(presences)) seen.push({ id, participant, presence });
  });
  const next = async (predicate: (update: SeenPresence) => boolean): Promise<SeenPresence> => {
    await linked.until(() => seen.some(predicate));
    return seen.find(predicate)!;
  };
  return { seen, next };
}

/** Links a new Baileys device to `phone`; resolves with its socket and the presences it reports. */
async function linkedWatching(phone: SimPhone) {
  const linked = await linkBaileys(phone, client);
  return { linked, presences: watchPresences(linked) };
}

beforeEach(async () => {
  sim = await startWaSim();
});

afterEach(async () => {
  for (const created of clients.splice(0)) created.end();
  await sim.close();
});

describe('SimPhone presence, seen by unmodified Baileys', () => {
  it("answers presenceSubscribe with the contact's state, then relays it going online and offline with last seen", async () => {
    const me = sim.phone('15550300001');
    const friend = sim.phone('15550300002');
    const { linked, presences } = await linkedWatching(me);

    await linked.sock.presenceSubscribe(friend.jid);
    const first = await presences.next((p) => p.id === friend.jid);
    expect(first).toEqual({
      id: friend.jid,
      participant: friend.jid,
      presence: { lastKnownPresence: 'unavailable', lastSeen: undefined, groupOnlineCount: undefined },
    });

    friend.setAvailability('available');
    await presences.next((p) => p.id === friend.jid && p.presence.lastKnownPresence === 'available');

    friend.setAvailability('unavailable');
    const offline = await presences.next((p) => p.id === friend.jid && p.presence.lastSeen !== undefined);
    expect(offline.presence.lastKnownPresence).toBe('unavailable');
    expect(offline.presence.lastSeen).toBe(Math.floor(friend.lastSeen!.getTime() / 1000));
    expect(presences.seen.map((p) => p.presence.lastKnownPresence)).toEqual([
      'unavailable',
      'available',
      'unavailable',
    ]);
  });

  it('answers a subscription by LID from the LID, with the last seen of a contact seen before', async () => {
    const me = sim.phone('15550300011');
    const friend = sim.phone('15550300012');
    friend.setAvailability('available');
    friend.setAvailability('unavailable');
    const { linked, presences } = await linkedWatching(me);

    await linked.sock.presenceSubscribe(friend.lidJid);
    const answer = await presences.next((p) => p.id === friend.lidJid);
    expect(answer.participant).toBe(friend.lidJid);
    expect(answer.presence).toMatchObject({
      lastKnownPresence: 'unavailable',
      lastSeen: Math.floor(friend.lastSeen!.getTime() / 1000),
    });
  });

  it("relays a contact's composing, recording and paused in a 1:1 chat with no subscription", async () => {
    const me = sim.phone('15550300021');
    const friend = sim.phone('15550300022');
    const { presences } = await linkedWatching(me);

    friend.showChatState(me, 'composing');
    await presences.next((p) => p.presence.lastKnownPresence === 'composing');
    friend.showChatState(me, 'recording');
    await presences.next((p) => p.presence.lastKnownPresence === 'recording');
    friend.showChatState(me, 'paused');
    // Baileys reports a pause as `available`.
    await presences.next((p) => p.presence.lastKnownPresence === 'available');
    expect(presences.seen).toEqual(
      ['composing', 'recording', 'available'].map((state) => ({
        id: friend.jid,
        participant: friend.jid,
        presence: { lastKnownPresence: state },
      })),
    );
  });

  it('addresses a 1:1 chat state from the LID when the phone addresses by LID', async () => {
    const me = sim.phone('15550300031');
    const friend = sim.phone('15550300032', { addressing: 'lid' });
    const { presences } = await linkedWatching(me);

    friend.showChatState(me, 'composing');
    const shown = await presences.next((p) => p.presence.lastKnownPresence === 'composing');
    expect(shown).toMatchObject({ id: friend.lidJid, participant: friend.lidJid });
  });

  it("relays a member's chat state in a group with the group as the chat and the member as participant", async () => {
    const me = sim.phone('15550300041');
    const friend = sim.phone('15550300042');
    const group = friend.createGroup('Team', [me]);
    const { presences } = await linkedWatching(me);
    const friendsDevice = await linkedWatching(friend);

    friend.showChatState(me, 'recording', group);
    const shown = await presences.next((p) => p.presence.lastKnownPresence === 'recording');
    expect(shown).toEqual({
      id: group.jid,
      participant: friend.lidJid,
      presence: { lastKnownPresence: 'recording' },
    });
    // The member's own devices are not told what the member shows.
    me.showChatState(friend, 'composing', group);
    await friendsDevice.presences.next((p) => p.participant === me.lidJid);
    expect(friendsDevice.presences.seen).toHaveLength(1);
  });

  it('does not record a subscription to a contact as a presence the device showed', async () => {
    const me = sim.phone('15550300051');
    const friend = sim.phone('15550300052');
    const { linked, presences } = await linkedWatching(me);

    await linked.sock.presenceSubscribe(friend.jid);
    await presences.next((p) => p.id === friend.jid);
    await linked.sock.sendPresenceUpdate('composing', friend.jid);
    await linked.until(() => me.presences.some((p) => p.state === 'composing'));
    // Baileys shows the device itself unavailable once it knows its name (markOnlineOnConnect is off).
    const shown = me.presences.filter((p) => p.state !== 'unavailable');
    expect(shown).toEqual([{ from: linked.auth.creds.me!.id, state: 'composing', to: friend.jid }]);
  });

  it('stops relaying availability to a device that unsubscribed', async () => {
    const me = sim.phone('15550300061');
    const friend = sim.phone('15550300062');
    const { linked, presences } = await linkedWatching(me);
    await linked.sock.presenceSubscribe(friend.jid);
    await presences.next((p) => p.id === friend.jid);

    await linked.sock.sendNode({ tag: 'presence', attrs: { to: friend.jid, type: 'unsubscribe' } });
    await linked.until(() => friend.presenceSubscribers.size === 0);
    friend.setAvailability('available');
    // A chat state sent after the availability arrives after it, had it been sent.
    friend.showChatState(me, 'composing');
    await presences.next((p) => p.presence.lastKnownPresence === 'composing');
    expect(presences.seen.map((p) => p.presence.lastKnownPresence)).toEqual(['unavailable', 'composing']);
    expect(me.presences.map((p) => p.state)).not.toContain('unsubscribe');
  });

  it('drops a presence for a subscribed device that is offline instead of queueing it, as WhatsApp does', async () => {
    const me = sim.phone('15550300071');
    const friend = sim.phone('15550300072');
    const { linked, presences } = await linkedWatching(me);
    await linked.sock.presenceSubscribe(friend.jid);
    await presences.next((p) => p.id === friend.jid);
    const device = me.devices.get(1)!;
    linked.end();
    await linked.until(() => !device.online);

    friend.setAvailability('available');
    friend.showChatState(me, 'composing');
    expect(device.offlineQueue).toEqual([]);
    const resumed = client(linked.auth);
    const resumedPresences = watchPresences(resumed);
    await resumed.opened();
    friend.showChatState(me, 'recording');
    await resumedPresences.next((p) => p.presence.lastKnownPresence === 'recording');
    expect(resumedPresences.seen.map((p) => p.presence.lastKnownPresence)).toEqual(['recording']);
  });
});
