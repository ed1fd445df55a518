// What the actions on messages and the bulk pacing decide by the engine's clock: WhatsApp's 15-minute edit window,
// and `simulate_typing` showing `composing` before each paced bulk message within the gap. An engine on a manual
// clock over each database and the simulated network (on the same clock, so what it records is on that time).
import { EDIT_WINDOW_MS, isKirimError } from '@kirim/core';
import { describe, expect, it } from 'vitest';
import { linkedEngineOnClock } from '../support/clock-engine.js';
import { eventually } from '../support/eventually.js';
import { DATABASES } from '../support/harness.js';
import { testCleanups } from '../support/storage.js';

describe.each(DATABASES)('message actions and typing on the engine clock on %s', (database) => {
  const cleanups = testCleanups();

  /** An engine on a manual clock with a session linked to `6281500000001`, sending with `limits`. */
  async function engine(limits: { min_gap_ms: number; jitter_ms: number }, sendWaitMs = 600_000) {
    return linkedEngineOnClock(database, cleanups, { phone: '6281500000001', outbox: { limits, sendWaitMs } });
  }

  it('edits an own text within 15 minutes of sending it, and answers edit_window_closed naming message_id a millisecond past them', async () => {
    const { kirim, clock, network, actor, sessionId, passing } = await engine({ min_gap_ms: 0, jitter_ms: 0 });
    const sent = await passing(
      kirim.sends.sendText(actor, { session_id: sessionId, to: '6281500000002', message: 'Hi' }),
    );
    const sentAt = (await kirim.messages.get(actor, sent.message_id!)).sent_at!;
    // A minute before the window closes: checked when asked, and again as the edit goes.
    await clock.set(new Date(Date.parse(sentAt) + EDIT_WINDOW_MS - 60_000));
    // The window is checked before the edit is queued: the clock stands still until then.
    const editing = kirim.messages.edit(actor, sent.message_id!, { message: 'Hi there' });
    await eventually(
      async () =>
        network.sent.some((s) => s.kind === 'edit') || (await kirim.storage.outbox.hasDue(clock.now().toISOString())),
    );
    const edit = await passing(editing);
    expect(edit.status).toMatch(/^(sent|delivered|read)$/);

    await clock.set(new Date(Date.parse(sentAt) + EDIT_WINDOW_MS + 1));
    const late = await kirim.messages.edit(actor, sent.message_id!, { message: 'Hi again' }).catch((error) => error);
    expect(isKirimError(late, 'edit_window_closed')).toBe(true);
    expect(late.details).toEqual({ message_id: [expect.stringContaining('more than 15 minutes ago')] });
    expect(network.sent.filter((s) => s.kind === 'edit')).toHaveLength(1);
  });

  it('fails an edit held past the 15 minutes (by the gap) when it would go, edit_window_closed naming message_id, unsent', async () => {
    const { kirim, clock, network, actor, sessionId, passing } = await engine(
      { min_gap_ms: 20 * 60_000, jitter_ms: 0 },
      1000,
    );
    const sending = kirim.sends.sendText(actor, { session_id: sessionId, to: '6281500000003', message: 'Hi' });
    const sent = await passing(
      eventually(async () => {
        const row = await kirim.storage.outbox.get(actor.userId, (await sending).id);
        return row?.sent_at ? row : undefined;
      }),
    );
    const sentAt = Date.parse(sent!.sent_at!);
    const held = await passing(kirim.messages.edit(actor, sent!.message_id!, { message: 'Hi there' }));
    expect(held.status).toBe('queued');
    await clock.set(new Date(sentAt + 20 * 60_000));
    const row = await passing(
      eventually(async () => {
        const stored = await kirim.storage.outbox.get(actor.userId, held.id);
        return stored?.status === 'failed' ? stored : undefined;
      }),
    );
    expect(row?.error).toMatch(/^edit_window_closed:message_id: was sent at .*, more than 15 minutes ago$/);
    expect(network.sent.filter((s) => s.kind === 'edit')).toEqual([]);
  });

  it('shows composing in each chat before a paced bulk message with simulate_typing, for longer the longer the text, within the gap', async () => {
    const gap = 6000;
    const { kirim, network, actor, sessionId, passing } = await engine({ min_gap_ms: gap, jitter_ms: 0 });
    await kirim.sessions.updateSettings(actor, sessionId, { simulate_typing: true });
    const recipients = ['6281500000011', '6281500000012', '6281500000013'];
    // 90 characters: 4.5 seconds of typing at 50 ms a character, inside the 6-second gap.
    const text = 'Promo minggu ini: diskon 20% semua item, gratis ongkir se-Jabodetabek sampai hari Minggu!!';
    await kirim.bulk.createText(actor, { session_id: sessionId, contacts: recipients, message: text });
    const bulkSends = () => network.sent.filter((s) => s.sessionId === sessionId);
    // The clock moves slowly enough for every round to run in its time: a late round would stretch the gap.
    await passing(
      eventually(() => bulkSends().length === recipients.length, 30_000, 1),
      50,
      5,
    );

    const presences = network.presences.filter((p) => p.sessionId === sessionId);
    const chats = recipients.map((phone) => `${phone}@s.whatsapp.net`);
    expect(presences.map((p) => [p.state, p.chat])).toEqual(
      chats.flatMap((chat) => [
        ['composing', chat],
        ['paused', chat],
      ]),
    );
    const sends = bulkSends();
    sends.forEach((send, i) => {
      const composing = presences[2 * i];
      expect(send.to).toBe(chats[i]);
      expect(send.at.getTime() - composing.at.getTime()).toBe(text.length * 50);
      // The typing is part of the pause between two messages, not added to it.
      if (i > 0) {
        const sinceLast = send.at.getTime() - sends[i - 1].at.getTime();
        expect(sinceLast).toBeGreaterThanOrEqual(gap);
        expect(sinceLast).toBeLessThan(gap + text.length * 50);
      }
    });
  });

  it('shows no typing before an immediate send, nor before a bulk message with simulate_typing off (the default)', async () => {
    const { kirim, network, actor, sessionId, passing } = await engine({ min_gap_ms: 1000, jitter_ms: 0 });
    await kirim.bulk.createText(actor, { session_id: sessionId, contacts: ['6281500000021'], message: 'Halo' });
    await passing(
      eventually(() => network.sent.length === 1, 30_000, 1),
      250,
    );
    await kirim.sessions.updateSettings(actor, sessionId, { simulate_typing: true });
    await passing(kirim.sends.sendText(actor, { session_id: sessionId, to: '6281500000022', message: 'Halo' }), 250);
    expect(network.sent).toHaveLength(2);
    expect(network.presences).toEqual([]);
  });

  it('answers 422 naming simulate_typing when it is not a boolean', async () => {
    const { kirim, actor, sessionId } = await engine({ min_gap_ms: 0, jitter_ms: 0 });
    const refused = await kirim.sessions
      .updateSettings(actor, sessionId, { simulate_typing: 'yes' })
      .catch((error) => error);
    expect(isKirimError(refused, 'validation')).toBe(true);
    expect(Object.keys(refused.details)).toEqual(['simulate_typing']);
    expect(await kirim.sessions.settings(actor, sessionId)).not.toHaveProperty('simulate_typing');
  });
});
