import type { AuthenticationState } from 'baileys';
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

/** Links a new Baileys device to the phone by QR code; resolves with its logged-in socket. */
const linkedClient = (phone: SimPhone): Promise<TestClient> => linkBaileys(phone, client);

/** Links a device to a new phone, does `act`, and returns the close code its socket then reported. */
async function closedAfter(number: string, act: (phone: SimPhone, linked: TestClient) => unknown) {
  const phone = sim.phone(number);
  const linked = await linkedClient(phone);
  await act(phone, linked);
  return { phone, linked, code: await linked.closed() };
}

/**
 * The statuses Baileys reported for a message we sent, in order: the status of its own `append`
 * upsert (Baileys folds receipts that arrive before that upsert into it), then `messages.update`s.
 */
function statusesOf(linked: TestClient, id: string): number[] {
  const upserted = linked.upserts
    .flatMap((u) => u.messages)
    .filter((m) => m.key.id === id && m.key.fromMe && m.status != null);
  const updated = linked.messageUpdates.filter((u) => u.key.id === id && u.update.status != null);
  return [...upserted.map((m) => m.status as number), ...updated.map((u) => u.update.status as number)].filter(
    (s) => s >= 3,
  );
}

beforeEach(async () => {
  // WA_SIM_DEBUG=1 prints every stanza in and out.
  sim = await startWaSim(
    process.env.WA_SIM_DEBUG
      ? { log: (event, details) => process.stderr.write(`${event} ${JSON.stringify(details)}\n`) }
      : {},
  );
});

afterEach(async () => {
  for (const created of clients.splice(0)) created.end();
  await sim.close();
});

describe('wa-sim with unmodified Baileys', () => {
  it('links by QR code: pair-success, restart (515), then login opens the connection', async () => {
    const phone = sim.phone('15550001111');
    const first = client();
    const linked = await phone.scanQr(await first.nextQr());
    expect(linked.jid).toBe('15550001111:1@s.whatsapp.net');
    expect(await first.closed()).toBe(515);

    const second = client(first.auth);
    await second.opened();
    expect(second.auth.creds.me?.id).toBe('15550001111:1@s.whatsapp.net');
    expect(second.auth.creds.me?.lid).toBe(linked.lid);
  });

  it('links by pairing code: the phone enters the code the companion shows, then login opens', async () => {
    const phone = sim.phone('15550002222');
    const first = client();
    await first.nextQr();
    const code = await first.sock.requestPairingCode('15550002222');
    expect(code).toMatch(/^[0-9A-Z]{8}$/);
    const linked = await phone.enterPairingCode(code);
    expect(linked.jid).toBe('15550002222:1@s.whatsapp.net');
    expect(await first.closed()).toBe(515);

    const second = client(first.auth);
    await second.opened();
    expect(second.auth.creds.registered).toBe(true);
  });

  it('rejects a wrong pairing code and links nothing', async () => {
    const phone = sim.phone('15550002223');
    const first = client();
    await first.nextQr();
    const code = await first.sock.requestPairingCode('15550002223');
    const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    await expect(phone.enterPairingCode(wrong)).rejects.toThrow('pairing code does not match');
    expect(phone.devices.size).toBe(0);
  });

  it('resumes from stored credentials without a QR code, uploading pre-keys only once', async () => {
    const phone = sim.phone('15550003333');
    const linked = await linkedClient(phone);
    const device = phone.devices.get(1)!;
    await linked.until(() => device.preKeys.size > 0);
    const uploaded = device.preKeys.size;
    linked.end();
    await linked.closed();

    const resumed = client(linked.auth);
    await resumed.opened();
    expect(resumed.updates.some((u) => u.qr)).toBe(false);
    expect(device.preKeys.size).toBe(uploaded);
  });

  it('acks a 1:1 text, which the phone decrypts, then moves it to delivered and then read', async () => {
    const me = sim.phone('15550004444');
    const friend = sim.phone('15550005555');
    const linked = await linkedClient(me);

    const sent = await linked.sock.sendMessage(friend.jid, { text: 'hello friend' });
    const id = sent!.key.id!;
    const received = await friend.waitForMessage((m) => m.id === id);
    expect(received.text).toBe('hello friend');
    expect(received.from).toBe('15550004444:1@s.whatsapp.net');
    await linked.until(() => statusesOf(linked, id).includes(4));
    expect(statusesOf(linked, id)).toEqual([3, 4]);
    expect(linked.messageUpdates.some((u) => u.key.id === id && u.update.status === 4)).toBe(true);
  });

  it('keeps a message at delivered when the phone does not send read receipts', async () => {
    const me = sim.phone('15550004445');
    const friend = sim.phone('15550005556', { receipts: 'delivered' });
    const linked = await linkedClient(me);
    const sent = await linked.sock.sendMessage(friend.jid, { text: 'no blue ticks' });
    await linked.until(() => statusesOf(linked, sent!.key.id!).includes(3));
    await friend.waitForMessage();
    expect(statusesOf(linked, sent!.key.id!)).toEqual([3]);
  });

  it('relays a group text: each member phone reads it through the sender key, receipts come back', async () => {
    const me = sim.phone('15550006666');
    const alice = sim.phone('15550007777');
    const bob = sim.phone('15550008888');
    const group = sim.createGroup('Team', alice, [me, bob]);
    const linked = await linkedClient(me);
    const receipts: string[] = [];
    linked.sock.ev.on('message-receipt.update', (list) => {
      for (const entry of list)
        receipts.push(`${entry.receipt.userJid}:${entry.receipt.readTimestamp ? 'read' : 'delivered'}`);
    });

    const first = await linked.sock.sendMessage(group.jid, { text: 'hi team' });
    expect((await alice.waitForMessage((m) => m.id === first!.key.id)).text).toBe('hi team');
    expect((await bob.waitForMessage((m) => m.id === first!.key.id)).text).toBe('hi team');
    // The second message reuses the sender key: no pairwise copies this time.
    const second = await linked.sock.sendMessage(group.jid, { text: 'again' });
    expect((await bob.waitForMessage((m) => m.id === second!.key.id)).text).toBe('again');
    await linked.until(() => receipts.includes(`${alice.lidJid}:read`) && receipts.includes(`${bob.lidJid}:read`));
  });

  it("delivers a phone's text as messages.upsert notify, Signal-encrypted, with both addresses", async () => {
    const me = sim.phone('15550009999');
    const friend = sim.phone('15550001234', { pushName: 'Friend' });
    const linked = await linkedClient(me);

    const id = await friend.sendText(me.number, 'hello device');
    await linked.until(() => linked.upserts.some((u) => u.messages.some((m) => m.key.id === id)));
    const upsert = linked.upserts.find((u) => u.messages.some((m) => m.key.id === id))!;
    const message = upsert.messages[0]!;
    expect(upsert.type).toBe('notify');
    expect(message.message?.conversation).toBe('hello device');
    expect(message.pushName).toBe('Friend');
    expect(message.key.remoteJid).toBe(friend.jid);
    expect(message.key.remoteJidAlt).toBe(friend.lidJid);
    // Baileys acknowledged it with a delivery receipt.
    await linked.until(() => friend.sent.get(id)?.status === 'delivered');

    const next = await friend.sendText(me.number, 'second, on the same session');
    await linked.until(() =>
      linked.upserts.some((u) => u.messages.some((m) => m.key.id === next && m.message?.conversation)),
    );
  });

  it('delivers plaintext and LID-addressed messages too', async () => {
    const me = sim.phone('15550009990');
    const friend = sim.phone('15550001235', { encryption: 'plaintext', addressing: 'lid' });
    const linked = await linkedClient(me);
    const id = await friend.sendText(me.number, 'plain and lid');
    await linked.until(() => linked.upserts.some((u) => u.messages.some((m) => m.key.id === id)));
    const message = linked.upserts.flatMap((u) => u.messages).find((m) => m.key.id === id)!;
    expect(message.message?.conversation).toBe('plain and lid');
    expect(message.key.remoteJid).toBe(friend.lidJid);
    expect(message.key.remoteJidAlt).toBe(friend.jid);
  });

  it('queues messages for an offline device and delivers them as append at the next login', async () => {
    const me = sim.phone('15550009991');
    const friend = sim.phone('15550001236');
    const linked = await linkedClient(me);
    linked.end();
    await linked.closed();

    const id = await friend.sendText(me.number, 'while you were away');
    const resumed = client(linked.auth);
    await resumed.opened();
    await resumed.until(() => resumed.upserts.some((u) => u.messages.some((m) => m.key.id === id)));
    const upsert = resumed.upserts.find((u) => u.messages.some((m) => m.key.id === id))!;
    expect(upsert.type).toBe('append');
    expect(upsert.messages[0]!.message?.conversation).toBe('while you were away');
  });

  it('lists the groups the account is in and answers their metadata', async () => {
    const me = sim.phone('15550001010');
    const other = sim.phone('15550002020');
    const team = sim.createGroup('Team', other, [me]);
    sim.createGroup('Not mine', other, []);
    const linked = await linkedClient(me);

    const groups = await linked.sock.groupFetchAllParticipating();
    expect(Object.keys(groups)).toEqual([team.jid]);
    const metadata = await linked.sock.groupMetadata(team.jid);
    expect(metadata.subject).toBe('Team');
    expect(metadata.addressingMode).toBe('lid');
    expect(metadata.participants.map((p) => [p.id, p.phoneNumber, p.admin])).toEqual([
      [other.lidJid, other.jid, 'superadmin'],
      [me.lidJid, me.jid, null],
    ]);
  });

  it('creates a group asked by Baileys, with the account as super-admin', async () => {
    const me = sim.phone('15550001011');
    const friend = sim.phone('15550002021');
    const linked = await linkedClient(me);
    const created = await linked.sock.groupCreate('New group', [friend.jid]);
    expect(created.subject).toBe('New group');
    expect(sim.group(created.id)?.has(friend)).toBe(true);
    expect(created.participants.find((p) => p.id === me.lidJid)?.admin).toBe('superadmin');
  });

  it('replaces the first connection (440) when the same device logs in twice', async () => {
    const phone = sim.phone('15550006061');
    const first = await linkedClient(phone);
    const second = client(first.auth);
    await second.opened();
    expect(await first.closed()).toBe(440);
  });

  it('answers onWhatsApp for numbers on and off the network', async () => {
    const me = sim.phone('15550003030');
    sim.phone('15550004040');
    const linked = await linkedClient(me);
    const results = await linked.sock.onWhatsApp('15550004040', '15559999999');
    expect(results).toEqual([{ jid: '15550004040@s.whatsapp.net', exists: true }]);
  });

  it('closes with 401 when the phone logs the device out, and refuses its credentials afterwards', async () => {
    const { linked, code } = await closedAfter('15550005050', (phone) => sim.logout(phone.number));
    expect(code).toBe(401);

    const again = client(linked.auth);
    expect(await again.closed()).toBe(401);
  });

  it('closes with 401 and unlinks when Baileys logs out itself', async () => {
    const { phone, code } = await closedAfter('15550005051', (_phone, linked) => linked.sock.logout());
    expect(code).toBe(401);
    expect(phone.devices.size).toBe(0);
  });

  it('closes with 440 when the session is replaced', async () => {
    const { code } = await closedAfter('15550006060', (phone) => sim.replace(phone.number));
    expect(code).toBe(440);
  });

  it('closes with 515 on restart required, and a new socket logs straight back in', async () => {
    const { linked, code } = await closedAfter('15550007070', (phone) => sim.restartRequired(phone.number));
    expect(code).toBe(515);
    const restarted = client(linked.auth);
    await restarted.opened();
  });

  it('leaves Baileys connecting, with no event, when the WebSocket upgrade is refused', async () => {
    sim.refuseUpgrades(503);
    const stuck = client();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stuck.updates.map((u) => u.connection).filter(Boolean)).toEqual(['connecting']);
    expect(sim.openConnections).toBe(0);
  });

  it('drops a linked device and refuses new connections while unreachable, then lets it log in again on the same port', async () => {
    const { linked, code } = await closedAfter('15550008080', () => sim.refuseConnections(true));
    expect(code).toBe(428);
    const refused = client(linked.auth);
    expect(await refused.closed()).toBe(408);
    expect(refused.updates.at(-1)?.lastDisconnect?.error).toMatchObject({ data: { code: 'ECONNREFUSED' } });

    await sim.refuseConnections(false);
    const again = client(linked.auth);
    await again.opened();
  });
});
