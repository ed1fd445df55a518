import { BoundedMap } from '../bounded-map.js';
import type { Clock } from '../clock.js';
import { KirimError } from '../errors.js';
import { peerOf, type KirimEvents } from '../events.js';
import type { Logger } from '../logger.js';
import type { SendQueue } from '../outbox/send-queue.js';
import type { Storage } from '../storage/storage.js';
import type { CallOffer, Connection } from '../transport/transport.js';

/** The session a call was offered to, as the session manager drives it. */
export interface CalledSession {
  id: string;
  userId: string;
  connection: Connection | undefined;
}

/** Answers one offered call as the session's settings say; resolves once it is handled. */
export type CallHandler = (session: CalledSession, call: CallOffer) => Promise<void>;

/** Calls remembered per process, so that an offer delivered again is answered once. */
const REMEMBERED_CALLS = 5_000;

/**
 * Rejects an offered call when the session's `reject_calls` is set, then sends the caller its
 * `reject_call_message` as an outbox text (durable, paced like any send), and publishes `call.received`
 * either way, the text and the event in one transaction. A call offered again (WhatsApp repeats offers a device did
 * not acknowledge) is answered once: remembered by the process, and by the text's key across processes.
 */
export function createCallHandler(deps: {
  storage: Storage;
  clock: Clock;
  events: KirimEvents;
  logger: Logger;
  /** Builds the answer's outbox row. */
  queue: SendQueue;
  /** Told a row was queued to go now. */
  onQueued(): void;
}): CallHandler {
  const { storage, events, logger } = deps;
  const answered = new BoundedMap<string, true>(REMEMBERED_CALLS);
  return async (session, call) => {
    const callKey = `call:${session.id}:${call.callId}`;
    if (answered.has(callKey)) return;
    answered.set(callKey, true);
    try {
      await answer(session, call, callKey);
    } catch (error) {
      answered.delete(callKey);
      throw error;
    }
  };

  async function answer(session: CalledSession, call: CallOffer, callKey: string): Promise<void> {
    const settings = (await storage.sessions.getById(session.id))?.settings ?? {};
    let rejected = false;
    if (settings.reject_calls === true && session.connection) {
      try {
        await session.connection.rejectCall(call.callId, call.from);
        rejected = true;
      } catch (error) {
        logger.warn({ err: error, session: session.id, callId: call.callId }, 'could not reject a call');
      }
    }
    const text = typeof settings.reject_call_message === 'string' ? settings.reject_call_message : null;
    const reply = rejected && text ? answerRow(session, call, text, callKey) : null;
    const event = events.create('call.received', session.userId, {
      session_id: session.id,
      from: peerOf(call.from, call.fromPhone),
      is_video: call.isVideo,
      rejected,
    });
    let announce: () => void;
    try {
      announce = await storage.transaction(async (tx) => {
        if (reply) await tx.outbox.enqueue([reply]);
        return events.publishIn(tx, [event]);
      });
    } catch (error) {
      // Another process answered this call's earlier offer.
      if (error instanceof KirimError && error.code === 'conflict') return;
      throw error;
    }
    announce();
    if (reply) deps.onQueued();
  }

  /** The text to the caller, under the call's key. */
  function answerRow(session: CalledSession, call: CallOffer, text: string, key: string) {
    const actor = { userId: session.userId, role: 'user', plan: 'free', planExpiresAt: null } as const;
    return deps.queue.row(
      actor,
      { session_id: session.id, pool_id: null },
      { chat: call.from, peer: call.fromPhone, text, media: null, kind: 'send', notBefore: deps.clock.now(), key },
    );
  }
}
