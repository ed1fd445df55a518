import { createSimulatedNetwork, type SimulatedNetwork } from '@kirim/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DATABASES, startTestServer, type TestServer } from '../support/harness.js';
import { linkSession, phoneSequence } from '../support/linking.js';
import { QUICK_SENDS } from '../support/quick-sends.js';

// A send answers once WhatsApp has it; a fast receipt may already have moved it further.
const SENT = /^(sent|delivered|read)$/;

describe.each(DATABASES)('actions on a message by its WhatsApp id over HTTP on %s (simulated network)', (database) => {
  let t: TestServer;
  let network: SimulatedNetwork;
  beforeAll(async () => {
    network = createSimulatedNetwork({ latencyMs: 1 });
    t = await startTestServer(database, QUICK_SENDS, { transport: network.transport });
  });
  afterAll(async () => {
    await t?.close();
  });

  const nextPhone = phoneSequence('62814', database);
  const sentBy = (sessionId: string) => network.sent.filter((s) => s.sessionId === sessionId);

  /** A user with a linked session, a peer phone, a text the session sent it and a text the peer sent the session. */
  async function chat() {
    const u = await t.createUser();
    const phone = nextPhone();
    const id = await linkSession(t, network, u.token, phone);
    const peer = nextPhone();
    const own = await t.request('POST', '/api/whatsapp/messages/text', {
      token: u.token,
      body: { session_id: id, to: peer, message: 'Hello from the shop' },
    });
    expect(own.status).toBe(200);
    const incoming = network.phone(peer).send(phone, 'Is the blue one still available?');
    await eventually(async () => (await message(u.token, incoming)).status === 200);
    return { token: u.token, id, phone, peer, own: own.body.data.message_id as string, incoming };
  }

  const message = (token: string, messageId: string) =>
    t.request('GET', `/api/whatsapp/messages/${encodeURIComponent(messageId)}`, { token });
  const act = (
    token: string,
    method: string,
    messageId: string,
    action: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => t.request(method, `/api/whatsapp/messages/${encodeURIComponent(messageId)}${action}`, { token, body, headers });
  const peerInbox = (peer: string, messageId: string) =>
    network.phone(peer).inbox.find((m) => m.messageId === messageId);

  it('GET answers the stored message with its kind, content, status history, reactions and poll votes', async () => {
    const c = await chat();
    const res = await message(c.token, c.own);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      message_id: c.own,
      session_id: c.id,
      direction: 'out',
      type: 'text',
      text: 'Hello from the shop',
      content: null,
      reactions: [],
      poll_votes: [],
      edited_at: null,
      revoked_at: null,
    });
    expect(res.body.data.status_history.map((s: { status: string }) => s.status)).toEqual(
      expect.arrayContaining(['queued', 'sending', 'sent']),
    );
    expect(res.body.data).not.toHaveProperty('raw');
    expect((await message(c.token, c.incoming)).body.data).toMatchObject({ direction: 'in', status: 'received' });
  });

  it('reacts to a received message: WhatsApp gets a reaction naming it, GET shows it, "" removes it', async () => {
    const c = await chat();
    const res = await act(c.token, 'POST', c.incoming, '/reaction', { emoji: '👍🏽' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, data: { status: expect.stringMatching(SENT) } });
    expect(sentBy(c.id).at(-1)).toMatchObject({
      to: `${c.peer}@s.whatsapp.net`,
      messageId: res.body.data.message_id,
      content: { kind: 'reaction', messageId: c.incoming, emoji: '👍🏽' },
    });
    expect((await message(c.token, c.incoming)).body.data.reactions).toMatchObject([
      { from: `${c.phone}@s.whatsapp.net`, emoji: '👍🏽' },
    ]);
    expect((await act(c.token, 'POST', c.incoming, '/reaction', { emoji: '' })).status).toBe(200);
    expect(sentBy(c.id).at(-1)?.content).toEqual({ kind: 'reaction', messageId: c.incoming, emoji: '' });
    expect((await message(c.token, c.incoming)).body.data.reactions).toEqual([]);
  });

  it("reacts to an own message: the recipient's phone shows the reaction on it", async () => {
    const c = await chat();
    expect((await act(c.token, 'POST', c.own, '/reaction', { emoji: '❤️' })).status).toBe(200);
    await eventually(() => peerInbox(c.peer, c.own)?.reactions[c.phone] === '❤️');
  });

  it('replies with a text quoting the message, to its chat', async () => {
    const c = await chat();
    const res = await act(c.token, 'POST', c.incoming, '/reply', { message: 'Yes, it is!' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ quoted: c.incoming, status: expect.stringMatching(SENT) });
    expect(sentBy(c.id).at(-1)).toMatchObject({
      to: `${c.peer}@s.whatsapp.net`,
      kind: 'text',
      text: 'Yes, it is!',
      quotedId: c.incoming,
    });
    const reply = await eventually(() => peerInbox(c.peer, res.body.data.message_id));
    expect(reply).toMatchObject({ text: 'Yes, it is!', quotedId: c.incoming });
  });

  it("edits an own text: the recipient's phone shows the new text, GET shows it edited", async () => {
    const c = await chat();
    const res = await act(c.token, 'PATCH', c.own, '', { message: 'Hello from the shop (open till 9)' });
    expect(res.status).toBe(200);
    expect(sentBy(c.id).at(-1)?.content).toEqual({
      kind: 'edit',
      messageId: c.own,
      text: 'Hello from the shop (open till 9)',
    });
    await eventually(() => peerInbox(c.peer, c.own)?.edited);
    expect(peerInbox(c.peer, c.own)?.text).toBe('Hello from the shop (open till 9)');
    expect((await message(c.token, c.own)).body.data).toMatchObject({
      text: 'Hello from the shop (open till 9)',
      edited_at: expect.any(String),
    });
  });

  it("deletes an own message for everyone: the recipient's phone shows it revoked, GET shows revoked_at", async () => {
    const c = await chat();
    const res = await act(c.token, 'DELETE', c.own, '');
    expect(res.status).toBe(200);
    expect(sentBy(c.id).at(-1)?.content).toEqual({ kind: 'revoke', messageId: c.own });
    await eventually(() => peerInbox(c.peer, c.own)?.revoked);
    expect((await message(c.token, c.own)).body.data.revoked_at).toEqual(expect.any(String));
  });

  it('deletes only the stored copy with ?for=me: nothing is sent, GET answers 404 after', async () => {
    const c = await chat();
    const before = sentBy(c.id).length;
    const res = await act(c.token, 'DELETE', c.incoming, '?for=me');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ message_id: c.incoming, deleted_for: 'me' });
    expect(sentBy(c.id)).toHaveLength(before);
    expect((await message(c.token, c.incoming)).status).toBe(404);
  });

  it('forwards a message to another number: it arrives there marked forwarded', async () => {
    const c = await chat();
    const other = nextPhone();
    const res = await act(c.token, 'POST', c.incoming, '/forward', { to: other });
    expect(res.status).toBe(200);
    expect(sentBy(c.id).at(-1)).toMatchObject({
      to: `${other}@s.whatsapp.net`,
      kind: 'forward',
      text: 'Is the blue one still available?',
    });
    const forwarded = await eventually(() => peerInbox(other, res.body.data.message_id));
    expect(forwarded).toMatchObject({ forwarded: true, text: 'Is the blue one still available?' });
  });

  it('marks a received message and the earlier ones of its chat read, not the later ones: the sender sees which', async () => {
    const c = await chat();
    const second = network.phone(c.peer).send(c.phone, 'Or the red one?');
    const third = network.phone(c.peer).send(c.phone, 'Hello?');
    await eventually(async () => (await message(c.token, third)).status === 200);
    const res = await act(c.token, 'POST', second, '/read');
    expect(res.status).toBe(200);
    const receipts = network.phone(c.peer).readReceipts;
    await eventually(() => receipts.has(second) && receipts.has(c.incoming));
    expect(receipts.has(third)).toBe(false);
  });

  it('answers a retried Idempotency-Key with the first row and reacts once; the key on another reaction is refused', async () => {
    const c = await chat();
    const headers = { 'idempotency-key': 'react-1' };
    const [first, second] = await Promise.all([
      act(c.token, 'POST', c.incoming, '/reaction', { emoji: '🙏' }, headers),
      act(c.token, 'POST', c.incoming, '/reaction', { emoji: '🙏' }, headers),
    ]);
    expect(first.status).toBe(200);
    expect(second.body.data.id).toBe(first.body.data.id);
    const reactions = () => sentBy(c.id).filter((s) => s.kind === 'reaction');
    expect(reactions()).toHaveLength(1);
    const other = await act(c.token, 'POST', c.incoming, '/reaction', { emoji: '🔥' }, headers);
    expect(other.status).toBe(422);
    expect(other.body.errors).toHaveProperty('Idempotency-Key');
    expect(reactions()).toHaveLength(1);
  });

  it('answers a retried delete for everyone with the first row though the message is deleted by then, sending once', async () => {
    const c = await chat();
    const headers = { 'idempotency-key': 'revoke-1' };
    const first = await act(c.token, 'DELETE', c.own, '', undefined, headers);
    expect(first.status).toBe(200);
    expect((await message(c.token, c.own)).body.data.revoked_at).toEqual(expect.any(String));
    const retry = await act(c.token, 'DELETE', c.own, '', undefined, headers);
    expect(retry.status).toBe(200);
    expect(retry.body.data.id).toBe(first.body.data.id);
    expect(sentBy(c.id).filter((s) => s.kind === 'revoke')).toHaveLength(1);
    const again = await act(c.token, 'DELETE', c.own, '');
    expect(again.status).toBe(422);
    expect(again.body.errors.message_id).toEqual(['was deleted for everyone']);
  });

  it("answers 404 naming message_id for another user's message and an unknown one, for every action, and sends nothing", async () => {
    const c = await chat();
    const stranger = await t.createUser();
    const before = sentBy(c.id).length;
    for (const [token, id] of [
      [stranger.token, c.own],
      [stranger.token, c.incoming],
      [c.token, '3EB0000000000000NOSUCH'],
    ]) {
      for (const [method, action, body] of [
        ['GET', '', undefined],
        ['POST', '/reaction', { emoji: '👍' }],
        ['POST', '/reply', { message: 'hi' }],
        ['PATCH', '', { message: 'hi' }],
        ['DELETE', '', undefined],
        ['DELETE', '?for=me', undefined],
        ['POST', '/forward', { to: nextPhone() }],
        ['POST', '/read', undefined],
      ] as const) {
        const res = await act(token, method, id, action, body);
        expect(res.status, `${method} ${action} of ${id}`).toBe(404);
        expect(res.body).toMatchObject({ code: 'not_found', errors: { message_id: [expect.any(String)] } });
      }
    }
    expect(sentBy(c.id)).toHaveLength(before);
    expect((await message(c.token, c.own)).status).toBe(200);
  });

  it('accepts one emoji of any form: a skin tone, a family, a flag, a keycap, a heart without its selector', async () => {
    const c = await chat();
    for (const emoji of ['👍🏾', '👨‍👩‍👧', '🇮🇩', '1️⃣', '❤'])
      expect((await act(c.token, 'POST', c.incoming, '/reaction', { emoji })).status, emoji).toBe(200);
  });

  it("takes simulate_typing in a session's settings, and a 422 naming it when it is not a boolean", async () => {
    const c = await chat();
    const settings = (body: unknown) =>
      t.request('PATCH', `/api/whatsapp/sessions/${c.id}/settings`, { token: c.token, body });
    expect((await settings({ simulate_typing: true })).body.data).toMatchObject({ simulate_typing: true });
    const refused = await settings({ simulate_typing: 'yes' });
    expect(refused.status).toBe(422);
    expect(Object.keys(refused.body.errors)).toEqual(['simulate_typing']);
  });

  describe('bad input: a 422 naming every offending field, nothing sent', () => {
    const refused = async (
      pick: (c: Awaited<ReturnType<typeof chat>>) => [string, string, string, unknown],
      fields: string[],
      code = 'validation',
    ) => {
      const c = await chat();
      const before = sentBy(c.id).length;
      const [method, messageId, action, body] = pick(c);
      const res = await act(c.token, method, messageId, action, body);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe(code);
      expect(Object.keys(res.body.errors).sort()).toEqual(fields);
      expect(sentBy(c.id)).toHaveLength(before);
      return res.body.errors;
    };

    it('answers 422 naming emoji for two emoji, a letter, and none', async () => {
      await refused((c) => ['POST', c.incoming, '/reaction', { emoji: '👍👍' }], ['emoji']);
      await refused((c) => ['POST', c.incoming, '/reaction', { emoji: 'a' }], ['emoji']);
      await refused((c) => ['POST', c.incoming, '/reaction', {}], ['emoji']);
    });

    it('answers 422 naming message for an empty reply, and an unknown key by its name', async () => {
      await refused((c) => ['POST', c.incoming, '/reply', { message: '' }], ['message']);
      await refused((c) => ['POST', c.incoming, '/reply', { message: 'ok', quoted: 'x' }], ['quoted']);
    });

    it('answers 422 naming message_id for an edit of an incoming message', async () => {
      const errors = await refused((c) => ['PATCH', c.incoming, '', { message: 'mine now' }], ['message_id']);
      expect(errors.message_id.join()).toMatch(/incoming/);
    });

    it('answers 422 naming message_id for an edit of a message that is not text', async () => {
      const c = await chat();
      const location = await t.request('POST', '/api/whatsapp/messages/location', {
        token: c.token,
        body: { session_id: c.id, to: c.peer, latitude: -6.2, longitude: 106.8 },
      });
      const res = await act(c.token, 'PATCH', location.body.data.message_id, '', { message: 'Monas' });
      expect(res.status).toBe(422);
      expect(res.body.errors.message_id.join()).toMatch(/location/);
    });

    it('answers 422 naming message_id for a delete for everyone of an incoming message', async () => {
      const errors = await refused((c) => ['DELETE', c.incoming, '', undefined], ['message_id']);
      expect(errors.message_id.join()).toMatch(/incoming/);
    });

    it('answers 422 naming message_id for marking an outgoing message read', () =>
      refused((c) => ['POST', c.own, '/read', undefined], ['message_id']));

    it('answers 422 naming message_id for a reaction to a reaction', async () => {
      const c = await chat();
      const reaction = await act(c.token, 'POST', c.incoming, '/reaction', { emoji: '👍' });
      const res = await act(c.token, 'POST', reaction.body.data.message_id, '/reaction', { emoji: '👍' });
      expect(res.status).toBe(422);
      expect(res.body.errors.message_id.join()).toMatch(/reaction, not a message/);
    });

    it('answers 422 naming to and group_id for a forward to both or neither', async () => {
      await refused((c) => ['POST', c.incoming, '/forward', {}], ['group_id', 'to']);
      await refused(
        (c) => ['POST', c.incoming, '/forward', { to: c.peer, group_id: '120363025246125486@g.us' }],
        ['group_id', 'to'],
      );
    });

    it('answers 422 naming for when a delete is neither for everyone nor for me', () =>
      refused((c) => ['DELETE', c.own, '?for=them', undefined], ['for']));
  });
});
