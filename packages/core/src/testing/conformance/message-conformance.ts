import { describe, expect, it } from 'vitest';
import type { Message, MessageContent, MessageFilter } from '../../messages/message-schemas.js';
import { aQueuedMessage, aSession, aUser, type ConformanceContext } from './conformance-context.js';

const ANI = '6281300000001';
const BUDI = '6281300000002';
const GROUP = '120363000000000001@g.us';

/** Conformance of the message history's filters (`MessageRepository.list`). */
export function describeMessages(ctx: ConformanceContext): void {
  /** A session with a small history: out to Ani, Budi and a group, in from Ani (and from Budi in the group), one bulk job, a day apart each. */
  const history = async () => {
    const user = await ctx.storage().users.insert(aUser());
    const session = await ctx.storage().sessions.insert(aSession(user.id));
    const at = (day: number) => `2026-01-0${day}T12:00:00.000Z`;
    await ctx.storage().outbox.enqueue([
      aQueuedMessage(user.id, session.id, {
        chat: `${ANI}@s.whatsapp.net`,
        peer_phone: ANI,
        text: 'Promo 50%_OFF',
        created_at: at(1),
      }),
      aQueuedMessage(user.id, session.id, {
        chat: `${BUDI}@s.whatsapp.net`,
        peer_phone: BUDI,
        text: 'promo 50 persen',
        kind: 'bulk',
        job_id: 'job-1',
        created_at: at(2),
      }),
      aQueuedMessage(user.id, session.id, { chat: GROUP, peer_phone: null, text: 'Halo grup', created_at: at(3) }),
    ]);
    const incoming = (fields: Partial<Message>) =>
      ctx.storage().messages.insertIncoming({
        ...aQueuedMessage(user.id, session.id),
        direction: 'in',
        kind: 'incoming',
        status: 'received',
        not_before: null,
        ...fields,
      });
    await incoming({
      message_id: 'in-1',
      chat: `${ANI}@s.whatsapp.net`,
      peer_phone: ANI,
      peer_lid: '111@lid',
      text: 'Balasan Ani',
      created_at: at(4),
    });
    await incoming({
      message_id: 'in-2',
      chat: GROUP,
      peer_phone: BUDI,
      sender: `${BUDI}@s.whatsapp.net`,
      text: 'Budi di grup',
      created_at: at(5),
    });
    const texts = async (filter: MessageFilter) =>
      (await ctx.storage().messages.list(user.id, session.id, filter, { limit: 10, offset: 0 })).items.map(
        (m) => m.text,
      );
    return { texts };
  };

  describe('MessageRepository.list', () => {
    it('filters by to (outgoing), from (incoming) and peer (either way), by phone digits, group JID or LID', async () => {
      const { texts } = await history();
      expect(await texts({ to: ANI })).toEqual(['Promo 50%_OFF']);
      expect(await texts({ from: ANI })).toEqual(['Balasan Ani']);
      expect(await texts({ peer: ANI })).toEqual(['Balasan Ani', 'Promo 50%_OFF']);
      expect(await texts({ peer: BUDI })).toEqual(['Budi di grup', 'promo 50 persen']);
      expect(await texts({ to: GROUP })).toEqual(['Halo grup']);
      expect(await texts({ peer: GROUP })).toEqual(['Budi di grup', 'Halo grup']);
      expect(await texts({ from: '111@lid' })).toEqual(['Balasan Ani']);
      expect(await texts({ to: ANI, from: ANI })).toEqual([]);
    });

    it('searches the text case-insensitively, with % and _ taken literally', async () => {
      const { texts } = await history();
      expect(await texts({ search: 'PROMO' })).toEqual(['promo 50 persen', 'Promo 50%_OFF']);
      expect(await texts({ search: '50%_o' })).toEqual(['Promo 50%_OFF']);
      expect(await texts({ search: '_' })).toEqual(['Promo 50%_OFF']);
      expect(await texts({ search: 'o%o' })).toEqual([]);
    });

    it('filters by bulk job, and by a date range whose bounds are inclusive', async () => {
      const { texts } = await history();
      expect(await texts({ jobId: 'job-1' })).toEqual(['promo 50 persen']);
      expect(await texts({ since: '2026-01-02T12:00:00.000Z', until: '2026-01-04T12:00:00.000Z' })).toEqual([
        'Balasan Ani',
        'Halo grup',
        'promo 50 persen',
      ]);
      expect(await texts({ since: '2026-01-05T12:00:00.001Z' })).toEqual([]);
      expect(await texts({ direction: 'in', status: 'received', until: '2026-01-04T23:59:59.999Z' })).toEqual([
        'Balasan Ani',
      ]);
    });
  });
  describe('a message content', () => {
    it("round-trips a location's, contact cards' and a poll's content, and null for a text", async () => {
      const user = await ctx.storage().users.insert(aUser());
      const session = await ctx.storage().sessions.insert(aSession(user.id));
      const contents: MessageContent[] = [
        { type: 'location', latitude: -6.2, longitude: 106.816666, name: 'Monas', address: 'Jakarta' },
        { type: 'contact', contacts: [{ name: 'Ani', phone: ANI, organization: 'Kirim', email: 'ani@example.com' }] },
        { type: 'poll', question: 'Lunch?', options: ['Soto', 'Sate'], multiple_answers: true },
      ];
      const ids = await ctx
        .storage()
        .outbox.enqueue([
          ...contents.map((content) =>
            aQueuedMessage(user.id, session.id, { type: content.type, text: null, content }),
          ),
          aQueuedMessage(user.id, session.id),
        ]);
      const stored = await Promise.all(ids.map((id) => ctx.storage().outbox.get(user.id, id)));
      expect(stored.map((m) => m?.content)).toEqual([...contents, null]);
    });
  });
}
