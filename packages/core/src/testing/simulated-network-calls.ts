import type { Clock } from '../clock.js';
import type { SessionEvent, SessionRecord, SimulatedConnection } from './simulated-network-connection.js';
import { isPhoneNumber, userJid } from './simulated-network-ids.js';

/** A call a phone placed to a session's account. */
export interface SimulatedCall {
  callId: string;
  /** The caller's phone number. */
  from: string;
  sessionId: string;
  video: boolean;
  /** Set once the session rejected it. */
  rejected: boolean;
  at: Date;
}

/** Phones calling linked sessions' accounts, and what the sessions did with each call. */
export interface SimulatedCalls {
  /** Every call placed, in order (truncate it freely). */
  readonly placed: SimulatedCall[];
  /** The phone `from` calls the account `sessionId` is linked to; the session is offered the call. Returns its id. */
  place(from: string, sessionId: string, options?: { video?: boolean }): string;
}

/** What the calls need of the network. */
interface CallNetwork {
  readonly clock: Clock;
  newMessageId(): string;
  /** Tells a session of an event, keeping it to deliver again (`redeliver`). */
  tell(record: SessionRecord, event: SessionEvent): void;
}

/** The network's calls: an offer is told to the session like any event, held while it is not connected, and redelivered. */
export class NetworkCalls implements SimulatedCalls {
  readonly placed: SimulatedCall[] = [];

  constructor(
    private readonly network: CallNetwork,
    private readonly recordOf: (sessionId: string) => SessionRecord,
  ) {}

  place(from: string, sessionId: string, options: { video?: boolean } = {}): string {
    if (!isPhoneNumber(from)) throw new Error(`Not a phone number (digits with country code): ${from}`);
    const record = this.recordOf(sessionId);
    const call: SimulatedCall = {
      callId: this.network.newMessageId(),
      from,
      sessionId,
      video: options.video ?? false,
      rejected: false,
      at: this.network.clock.now(),
    };
    this.placed.push(call);
    this.network.tell(record, {
      kind: 'call',
      call: {
        callId: call.callId,
        from: userJid(from),
        fromPhone: from,
        isVideo: call.video,
        isGroup: false,
        at: call.at,
      },
    });
    return call.callId;
  }

  /** The session of `connection` declines a call offered to it; throws as Baileys does when the link is down. */
  reject(connection: SimulatedConnection, callId: string): void {
    connection.linkedPhone();
    const call = this.placed.find((c) => c.callId === callId && c.sessionId === connection.record.sessionId);
    if (!call) throw new Error(`No call ${callId} was offered to ${connection.record.sessionId}`);
    call.rejected = true;
  }
}
