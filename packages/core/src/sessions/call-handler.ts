import type { Clock } from '../clock.js';
import { KirimError } from '../errors.js';
import type { KirimEvents } from '../events.js';
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

/**
 * Rejects an offered call when the session's `reject_calls` is set, then sends the caller its
 * `reject_call_message` as an outbox text (durable, paced like any send), and publishes `call.received`
 * either way. A call offered again (WhatsApp repeats offers a device did not acknowledge) is answered once.
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
  return async (session, call) => {
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
    const message = typeof settings.reject_call_message === 'string' ? settings.reject_call_message : null;
    if (rejected && message && !(await queueAnswer(session, call, message))) return;
    await events.publish('call.received', session.userId, {
      session_id: session.id,
      from: { jid: call.from, phone: call.fromPhone, lid: call.from.endsWith('@lid') ? call.from : null },
      is_video: call.isVideo,
      rejected,
    });
  };

  /** Queues the text to the caller under a key of the call's; false when an earlier offer of the call queued it. */
  async function queueAnswer(session: CalledSession, call: CallOffer, text: string): Promise<boolean> {
    const actor = { userId: session.userId, role: 'user', plan: 'free', planExpiresAt: null } as const;
    const row = deps.queue.row(
      actor,
      { session_id: session.id, pool_id: null },
      {
        chat: call.from,
        peer: call.fromPhone,
        text,
        media: null,
        kind: 'send',
        notBefore: deps.clock.now(),
        key: `call:${session.id}:${call.callId}`,
      },
    );
    try {
      await storage.outbox.enqueue([row]);
    } catch (error) {
      if (error instanceof KirimError && error.code === 'conflict') return false;
      throw error;
    }
    deps.onQueued();
    return true;
  }
}
