import type { Clock } from '../clock.js';
import type { KirimEvents } from '../events.js';
import type { Logger } from '../logger.js';
import type { Message, MessageContent } from '../messages/message-schemas.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { Session } from '../sessions/session-schemas.js';
import type { SendOutcome, Storage } from '../storage/storage.js';
import type { Connection, OutgoingContent, OutgoingMedia, SendOptions } from '../transport/transport.js';
import type { MediaLoader } from './media-loader.js';
import {
  checkEditStillOpen,
  forwardedMessage,
  idsToRead,
  ownUpdate,
  storedMessage,
  typingMs,
} from './message-action-rows.js';
import { callerFault } from './send-faults.js';
import type { SendLimits } from './send-limits.js';
import { SessionThrottle, type SendSample } from './session-throttle.js';
import { checkNumbersCached } from '../sessions/number-checks.js';

/** How often, and how soon, a failing send is tried again. */
export interface RowSenderOptions {
  /** Tries of a send that fails before the row is failed; default 3. */
  maxAttempts?: number;
  /** Wait before retrying a failed send, times the attempt number; default 5000 ms. */
  retryDelayMs?: number;
}

/** What the row sender works with; the dispatcher is given the same. */
export type RowSenderDeps = {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  events: KirimEvents;
  manager: SessionManager;
  media: MediaLoader;
  /** Told when a session's breaker opened or closed (cached session facts are stale). */
  onCircuitChanged(): void;
};

/**
 * Sends a session's claimed rows at its pace: each row with its media, the message it quotes and the
 * number check, judged for the throttle, whose breaker it persists.
 */
export class RowSender {
  private readonly throttles = new Map<string, SessionThrottle>();

  constructor(
    private readonly deps: RowSenderDeps,
    private readonly retries: Required<RowSenderOptions>,
  ) {}

  /** Sends one session's rows in order, keeping its gap, and returns their outcomes. */
  async sendAll(session: Session, rows: Message[], limits: SendLimits): Promise<SendOutcome[]> {
    const { clock } = this.deps;
    const throttle = this.throttle(session);
    const outcomes: SendOutcome[] = [];
    for (const row of rows) {
      const { outcome, sample, typedFrom } = await this.send(session, row, limits);
      outcomes.push(outcome);
      if (outcome.status === 'sent') await this.applyOwn(session, row);
      // Typing is part of the pause before a message, not added to it: the gap counts from when it began.
      const breaker = throttle.record(sample, typedFrom ?? clock.now(), limits);
      if (breaker) await this.reportBreaker(session, breaker, throttle.openUntil, outcome);
    }
    return outcomes;
  }

  /** Persists a breaker that opened or closed (pools in every process read it) and publishes `session.circuit`. */
  private async reportBreaker(
    session: Session,
    state: 'opened' | 'closed',
    openUntil: number,
    outcome: SendOutcome,
  ): Promise<void> {
    const until = state === 'opened' ? new Date(openUntil).toISOString() : null;
    const reason =
      state === 'opened'
        ? `most recent sends failed; the last: ${'error' in outcome ? outcome.error : 'unknown'}`
        : null;
    await this.deps.storage.sessions.update(session.id, { circuit_open_until: until, circuit_reason: reason });
    if (state === 'opened')
      this.deps.logger.warn({ session: session.id, until }, 'circuit breaker opened: most recent sends failed');
    else this.deps.logger.info({ session: session.id }, 'circuit breaker closed: a send succeeded after the cool-down');
    this.deps.onCircuitChanged();
    await this.deps.events.publish('session.circuit', session.user_id, {
      session_id: session.id,
      state,
      until,
      reason,
    });
  }

  /** How many rows the session may take this round (see SessionThrottle.budget). */
  budget(session: Session, now: Date, limits: SendLimits, linkedSince: Date | null, most: number): Promise<number> {
    return this.throttle(session).budget(now, limits, linkedSince, most);
  }

  /** How long a question to WhatsApp on the session waits for its turn (see SessionThrottle.reserveQuestion). */
  reserveQuestion(session: Session, now: Date, limits: SendLimits): number {
    return this.throttle(session).reserveQuestion(now, limits);
  }

  /** The session's pacing: its gap, daily cap and breaker, one per session across rounds. */
  private throttle(session: Session): SessionThrottle {
    let throttle = this.throttles.get(session.id);
    if (!throttle) {
      throttle = new SessionThrottle((dayStart) => this.deps.storage.outbox.sentSince(session.id, dayStart));
      // A breaker another process (or this one before a restart) opened holds here too.
      if (session.circuit_open_until) throttle.openUntil = Date.parse(session.circuit_open_until);
      this.throttles.set(session.id, throttle);
    }
    return throttle;
  }

  /**
   * Sends one row and says what the throttle learns from it: only sends count for the breaker. The
   * caller's faults (a refused or unfit `media_url`, a group the session is not in) fail the row at once
   * and do not count; a media host that fails for a while is retried but does not count either. Whatever
   * asked WhatsApp something (a number check, a group's metadata) still spaces the next send.
   */
  private async send(
    session: Session,
    row: Message,
    limits: SendLimits,
  ): Promise<{ outcome: SendOutcome; sample: SendSample; typedFrom?: Date }> {
    const { clock, manager } = this.deps;
    let queried = false;
    let reachedWhatsApp = false;
    const notSent = (): SendSample => (queried || reachedWhatsApp ? 'queried' : 'unsent');
    try {
      const connection = manager.connection(session.id);
      if (!connection) throw new Error('the session disconnected');
      if (
        limits.check_recipients &&
        row.peer_phone &&
        !(await this.exists(connection, row.peer_phone, () => (queried = true)))
      ) {
        return {
          outcome: {
            id: row.id,
            status: 'failed',
            at: clock.now().toISOString(),
            error: 'not_on_whatsapp: the number has no WhatsApp account',
          },
          sample: notSent(),
        };
      }
      const typedFrom = await this.showTyping(connection, row, limits);
      const result = await this.deliver(connection, row, () => (reachedWhatsApp = true));
      return {
        outcome: { id: row.id, status: 'sent', at: clock.now().toISOString(), raw: result.raw },
        sample: 'sent',
        typedFrom,
      };
    } catch (error) {
      const at = clock.now().toISOString();
      const fault = callerFault(error, row, reachedWhatsApp);
      if (fault) return { outcome: { id: row.id, status: 'failed', at, error: fault }, sample: notSent() };
      const reason = error instanceof Error ? error.message : String(error);
      const sample = reachedWhatsApp ? 'failed' : notSent();
      if (row.attempts >= this.retries.maxAttempts)
        return { outcome: { id: row.id, status: 'failed', at, error: reason }, sample };
      // A pool row goes back to the pool at once: another member may send it while this one cools down.
      if (row.pool_id)
        return { outcome: { id: row.id, status: 'queued', at, not_before: at, error: reason, release: true }, sample };
      const retryAt = new Date(Date.parse(at) + this.retries.retryDelayMs * row.attempts).toISOString();
      return { outcome: { id: row.id, status: 'queued', at, not_before: retryAt, error: reason }, sample };
    }
  }

  /** Sends a row through `connection`; `reaching` is called once its content is ready, as WhatsApp is asked. */
  private async deliver(connection: Connection, row: Message, reaching: () => void) {
    const options: SendOptions = {
      messageId: row.message_id!,
      mentions: row.mentions.length > 0 ? row.mentions : undefined,
    };
    if (row.quoted_message_id) {
      const quoted = await this.deps.storage.messages.findByMessageId(row.session_id!, row.quoted_message_id);
      if (quoted) options.quoted = storedMessage(quoted);
    }
    if (row.content?.type === 'read') {
      const ids = await idsToRead(this.deps.storage, row, row.content.message_id);
      reaching();
      await connection.markRead(row.chat, ids);
      return { messageId: row.message_id!, raw: null };
    }
    if (row.content?.type === 'edit')
      await checkEditStillOpen(this.deps.storage, row, row.content.message_id, this.deps.clock.now());
    if (row.content?.type === 'forward') {
      const message = await forwardedMessage(this.deps.storage, row, row.content.message_id);
      reaching();
      return connection.send(row.chat, { kind: 'forward', message }, options);
    }
    if (row.content && row.content.type !== 'text') {
      reaching();
      return connection.send(row.chat, outgoing(row.content), options);
    }
    if (!row.media) {
      const text = row.text ?? '';
      // The preview is made as the text goes (never stored), unless the request turned it off.
      const linkPreview = row.content?.type === 'text' ? undefined : await this.deps.media.preview(text);
      reaching();
      return connection.send(row.chat, { kind: 'text', text, ...(linkPreview ? { linkPreview } : {}) }, options);
    }
    const file = await this.deps.media.load(row.media.url!, row.media.type);
    reaching();
    const media: OutgoingMedia = {
      type: row.media.type as OutgoingMedia['type'],
      data: file.data,
      mimetype: row.media.mimetype ?? file.mimetype,
      filename: row.media.filename ?? file.filename,
      caption: row.text ?? undefined,
      ...(file.seconds ? { seconds: file.seconds, waveform: file.waveform } : {}),
    };
    return connection.send(
      row.chat,
      { kind: 'media', media, ...(row.media.view_once ? { viewOnce: true } : {}) },
      options,
    );
  }

  /** Shows `composing` in the row's chat for as long as typing it takes (see typingMs); says when it began, if it did. */
  private async showTyping(connection: Connection, row: Message, limits: SendLimits): Promise<Date | undefined> {
    const ms = typingMs(row, limits);
    if (ms === 0) return undefined;
    const began = this.deps.clock.now();
    await connection.sendPresence('composing', row.chat);
    await this.deps.clock.sleep(ms);
    await connection.sendPresence('paused', row.chat);
    return began;
  }

  /** Applies a sent reaction, edit or delete to the stored message it names, so the history shows it at once. */
  private async applyOwn(session: Session, row: Message): Promise<void> {
    const update = ownUpdate(session, row, this.deps.clock.now());
    if (!update) return;
    try {
      await this.deps.storage.messages.applyUpdate(session.id, update);
    } catch (error) {
      // The message went; a failure to note it on the stored copy must not send it again.
      this.deps.logger.warn({ err: error, message_id: update.messageId }, 'a sent action missed its message');
    }
  }

  /** Whether `phone` has WhatsApp, from the shared day's cache; `asking` is called when WhatsApp is asked. */
  private async exists(connection: Connection, phone: string, asking: () => void): Promise<boolean> {
    const [check] = await checkNumbersCached(this.deps, connection.profiles, [phone], async () => asking());
    return check!.exists;
  }
}

/** A location, contact cards, poll, reaction, edit or revoke as the transport sends it. */
function outgoing(content: Exclude<MessageContent, { type: 'text' | 'read' | 'forward' }>): OutgoingContent {
  switch (content.type) {
    case 'location': {
      const { type: _type, ...location } = content;
      return { kind: 'location', ...location };
    }
    case 'contact':
      return { kind: 'contacts', contacts: content.contacts };
    case 'poll':
      return {
        kind: 'poll',
        question: content.question,
        options: content.options,
        multipleAnswers: content.multiple_answers,
      };
    case 'reaction':
      return { kind: 'reaction', messageId: content.message_id, emoji: content.emoji };
    case 'edit':
      return { kind: 'edit', messageId: content.message_id, text: content.text };
    case 'revoke':
      return { kind: 'revoke', messageId: content.message_id };
  }
}

/** A claimed row as `complete` leaves it after recording `outcome`. */
export function recordedRow(row: Message, outcome: SendOutcome): Message {
  const recorded: Message = { ...row, status: outcome.status, updated_at: outcome.at };
  switch (outcome.status) {
    case 'failed':
      return { ...recorded, error: outcome.error };
    case 'queued': {
      // A released pool row goes back with no device and no WhatsApp id: any member may take it.
      const released = outcome.release ? { session_id: null, message_id: null } : {};
      return { ...recorded, not_before: outcome.not_before, error: outcome.error, claimed_by: null, ...released };
    }
    default:
      return { ...recorded, sent_at: outcome.at, raw: outcome.raw, error: null };
  }
}
