import { describe, expect, it } from 'vitest';
import type { Message } from '../../messages/message-schemas.js';
import type { MessageUpdate } from '../../transport/transport.js';
import { aQueuedMessage, aSession, aUser, T0, type ConformanceContext } from './conformance-context.js';
import { insertUserWithSession } from './user-with-session.js';

const ANI = '6281300000001@s.whatsapp.net';
const BUDI = '6281300000002@s.whatsapp.net';
const at = (minute: number) => `2026-01-02T00:${String(minute).padStart(2, '0')}:00.000Z`;

/** Conformance of what a stored message goes through: its status history, reactions, votes, edits and deletes. */
export function describeMessageLife(ctx: ConformanceContext): void {
  const setup = () => insertUserWithSession(ctx.storage());
  const incoming = (userId: string, sessionId: string, fields: Partial<Message> = {}) =>
    ctx.storage().messages.insertIncoming({
      ...aQueuedMessage(userId, sessionId),
      direction: 'in',
      kind: 'incoming',
      status: 'received',
      not_before: null,
      message_id: 'IN-1',
      chat: ANI,
      ...fields,
    });
  /** An update of message IN-1 in Ani's chat, made by `from` at minute `minute`. */
  const update = (from: string, minute: number, change: DistributiveOmit<MessageUpdate, keyof UpdateBase>) =>
    ({
      messageId: 'IN-1',
      chat: ANI,
      from,
      fromPhone: from.split('@')[0],
      fromMe: false,
      at: new Date(at(minute)),
      ...change,
    }) as MessageUpdate;

  describe('MessageRepository: status history', () => {
    it('records every status an outgoing row takes, with its time: queued, sending, sent, delivered, read', async () => {
      const { userId, sessionId } = await setup();
      const [id] = await ctx.storage().outbox.enqueue([aQueuedMessage(userId, sessionId)]);
      const claimed = await ctx
        .storage()
        .outbox.claim({ owner: 'p1', now: at(1), sessions: [{ id: sessionId, limit: 1 }], pools: [] }, () => ({
          send: { session_id: sessionId, message_id: 'WA-1' },
        }));
      expect(claimed[0].status_history).toEqual([
        { status: 'queued', at: T0 },
        { status: 'sending', at: at(1) },
      ]);
      await ctx.storage().outbox.complete([{ id, status: 'sent', at: at(2), raw: null }]);
      await ctx.storage().messages.applyReceipts([{ sessionId, messageId: 'WA-1', status: 'delivered' }], at(3));
      const { moved } = await ctx
        .storage()
        .messages.applyReceipts([{ sessionId, messageId: 'WA-1', status: 'read' }], at(4));
      const history = [
        { status: 'queued', at: T0 },
        { status: 'sending', at: at(1) },
        { status: 'sent', at: at(2) },
        { status: 'delivered', at: at(3) },
        { status: 'read', at: at(4) },
      ];
      expect(moved[0].message.status_history).toEqual(history);
      expect((await ctx.storage().outbox.get(userId, id))?.status_history).toEqual(history);
    });

    it('records each status of receipts applied together (sent, delivered and read at once)', async () => {
      const { userId, sessionId } = await setup();
      const [id] = await ctx.storage().outbox.enqueue([aQueuedMessage(userId, sessionId)]);
      await ctx
        .storage()
        .outbox.claim({ owner: 'p1', now: at(1), sessions: [{ id: sessionId, limit: 1 }], pools: [] }, () => ({
          send: { session_id: sessionId, message_id: 'WA-1' },
        }));
      await ctx.storage().messages.applyReceipts(
        ['sent', 'delivered', 'read'].map((status) => ({ sessionId, messageId: 'WA-1', status: status as 'read' })),
        at(2),
      );
      expect((await ctx.storage().outbox.get(userId, id))?.status_history.map((s) => s.status)).toEqual([
        'queued',
        'sending',
        'sent',
        'delivered',
        'read',
      ]);
    });

    it('records a failure, a retry, a recovery as unknown and a cancel', async () => {
      const { userId, sessionId } = await setup();
      const [a, b] = await ctx
        .storage()
        .outbox.enqueue([aQueuedMessage(userId, sessionId), aQueuedMessage(userId, sessionId)]);
      const claim = (minute: number) =>
        ctx
          .storage()
          .outbox.claim(
            { owner: 'p1', now: at(minute), sessions: [{ id: sessionId, limit: 2 }], pools: [] },
            (row) => ({ send: { session_id: sessionId, message_id: `WA-${row.id}` } }),
          );
      await claim(1);
      await ctx.storage().outbox.complete([
        { id: a, status: 'queued', at: at(2), not_before: at(2), error: 'busy' },
        { id: b, status: 'failed', at: at(2), error: 'refused' },
      ]);
      await claim(3);
      await ctx.storage().outbox.recover(sessionId, 'another process', at(4));
      await ctx.storage().outbox.cancelQueued(userId, { id: a }, at(5));
      const statuses = async (id: number) =>
        (await ctx.storage().outbox.get(userId, id))?.status_history.map((s) => `${s.status} ${s.at}`);
      expect(await statuses(a)).toEqual([
        `queued ${T0}`,
        `sending ${at(1)}`,
        `queued ${at(2)}`,
        `sending ${at(3)}`,
        `unknown ${at(4)}`,
        `cancelled ${at(5)}`,
      ]);
      expect(await statuses(b)).toEqual([`queued ${T0}`, `sending ${at(1)}`, `failed ${at(2)}`]);
    });

    it('starts an incoming message at received, when it was stored', async () => {
      const { userId, sessionId } = await setup();
      const stored = await incoming(userId, sessionId, { created_at: at(7) });
      expect(stored?.status_history).toEqual([{ status: 'received', at: at(7) }]);
      expect(stored).toMatchObject({ reactions: [], poll_votes: [], edited_at: null, revoked_at: null });
    });
  });

  describe('MessageRepository.applyUpdate', () => {
    it("replaces a member's reaction with their next one, and removes it for an empty emoji", async () => {
      const { userId, sessionId } = await setup();
      await incoming(userId, sessionId);
      const messages = ctx.storage().messages;
      await messages.applyUpdate(sessionId, update(ANI, 1, { kind: 'reaction', emoji: '👍' }));
      await messages.applyUpdate(sessionId, update(BUDI, 2, { kind: 'reaction', emoji: '😂' }));
      const changed = await messages.applyUpdate(sessionId, update(ANI, 3, { kind: 'reaction', emoji: '❤️' }));
      expect(changed?.reactions).toEqual([
        { from: BUDI, phone: '6281300000002', emoji: '😂', at: at(2) },
        { from: ANI, phone: '6281300000001', emoji: '❤️', at: at(3) },
      ]);
      await messages.applyUpdate(sessionId, update(BUDI, 4, { kind: 'reaction', emoji: '' }));
      expect((await messages.findByMessageId(sessionId, 'IN-1'))?.reactions).toEqual([
        { from: ANI, phone: '6281300000001', emoji: '❤️', at: at(3) },
      ]);
    });

    it("replaces a voter's vote with their next one, keeping a withdrawn vote as no options", async () => {
      const { userId, sessionId } = await setup();
      await incoming(userId, sessionId, { type: 'poll', text: null });
      const messages = ctx.storage().messages;
      await messages.applyUpdate(sessionId, update(ANI, 1, { kind: 'poll_vote', selected: ['Kopi'] }));
      await messages.applyUpdate(sessionId, update(BUDI, 2, { kind: 'poll_vote', selected: ['Teh', 'Kopi'] }));
      await messages.applyUpdate(sessionId, update(ANI, 3, { kind: 'poll_vote', selected: ['Teh'] }));
      const changed = await messages.applyUpdate(sessionId, update(BUDI, 4, { kind: 'poll_vote', selected: [] }));
      expect(changed?.poll_votes).toEqual([
        { voter: ANI, phone: '6281300000001', selected: ['Teh'], at: at(3) },
        { voter: BUDI, phone: '6281300000002', selected: [], at: at(4) },
      ]);
    });

    it('sets the new text and edited_at on an edit', async () => {
      const { userId, sessionId } = await setup();
      await incoming(userId, sessionId, { text: 'Halo' });
      const changed = await ctx
        .storage()
        .messages.applyUpdate(sessionId, update(ANI, 5, { kind: 'edit', text: 'Halo, Kak' }));
      expect(changed).toMatchObject({ text: 'Halo, Kak', edited_at: at(5), revoked_at: null });
      expect(await ctx.storage().messages.findByMessageId(sessionId, 'IN-1')).toMatchObject({ text: 'Halo, Kak' });
    });

    it('sets revoked_at on a delete for everyone and keeps the stored text', async () => {
      const { userId, sessionId } = await setup();
      await incoming(userId, sessionId, { text: 'Rahasia' });
      const changed = await ctx.storage().messages.applyUpdate(sessionId, update(ANI, 6, { kind: 'revoke' }));
      expect(changed).toMatchObject({ text: 'Rahasia', revoked_at: at(6), edited_at: null });
    });

    it("changes nothing and answers undefined for a message the session has not stored (or another session's)", async () => {
      const { userId, sessionId } = await setup();
      const other = await ctx.storage().sessions.insert(aSession(userId));
      await incoming(userId, other.id);
      const messages = ctx.storage().messages;
      expect(await messages.applyUpdate(sessionId, update(ANI, 1, { kind: 'reaction', emoji: '👍' }))).toBeUndefined();
      expect((await messages.findByMessageId(other.id, 'IN-1'))?.reactions).toEqual([]);
    });

    it('keeps both of two reactions applied at the same time', async () => {
      const { userId, sessionId } = await setup();
      await incoming(userId, sessionId);
      const messages = ctx.storage().messages;
      await Promise.all([
        messages.applyUpdate(sessionId, update(ANI, 1, { kind: 'reaction', emoji: '👍' })),
        messages.applyUpdate(sessionId, update(BUDI, 1, { kind: 'reaction', emoji: '🙏' })),
      ]);
      const emojis = (await messages.findByMessageId(sessionId, 'IN-1'))?.reactions.map((r) => r.emoji).sort();
      expect(emojis).toEqual(['👍', '🙏'].sort());
    });
  });

  describe('MessageRepository.findOwned, updateRaw, removeOne', () => {
    it("finds a user's message by WhatsApp id in any of their sessions, the newest when several have it", async () => {
      const { userId, sessionId } = await setup();
      const second = await ctx.storage().sessions.insert(aSession(userId));
      await incoming(userId, sessionId, { text: 'older', created_at: at(1) });
      await incoming(userId, second.id, { text: 'newer', created_at: at(2) });
      expect(await ctx.storage().messages.findOwned(userId, 'IN-1')).toMatchObject({
        text: 'newer',
        session_id: second.id,
      });
      expect(await ctx.storage().messages.findOwned(userId, 'IN-2')).toBeUndefined();
    });

    it("does not find another user's message", async () => {
      const { userId, sessionId } = await setup();
      await incoming(userId, sessionId);
      const stranger = await ctx.storage().users.insert(aUser());
      expect(await ctx.storage().messages.findOwned(stranger.id, 'IN-1')).toBeUndefined();
    });

    it("replaces a message's raw, and only that message's", async () => {
      const { userId, sessionId } = await setup();
      await incoming(userId, sessionId, { raw: 'old keys' });
      await incoming(userId, sessionId, { message_id: 'IN-2', raw: 'other keys' });
      await ctx.storage().messages.updateRaw(sessionId, 'IN-1', 'new keys');
      expect((await ctx.storage().messages.findByMessageId(sessionId, 'IN-1'))?.raw).toBe('new keys');
      expect((await ctx.storage().messages.findByMessageId(sessionId, 'IN-2'))?.raw).toBe('other keys');
    });

    it('deletes one stored message, answering false when there was none', async () => {
      const { userId, sessionId } = await setup();
      await incoming(userId, sessionId);
      await incoming(userId, sessionId, { message_id: 'IN-2' });
      expect(await ctx.storage().messages.removeOne(sessionId, 'IN-1')).toBe(true);
      expect(await ctx.storage().messages.removeOne(sessionId, 'IN-1')).toBe(false);
      expect(await ctx.storage().messages.findByMessageId(sessionId, 'IN-1')).toBeUndefined();
      expect(await ctx.storage().messages.findByMessageId(sessionId, 'IN-2')).toBeDefined();
    });
  });
}

type UpdateBase = Pick<MessageUpdate, 'messageId' | 'chat' | 'from' | 'fromPhone' | 'fromMe' | 'at'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
