import type {
  CallOffer,
  ContactPresence,
  GroupChange,
  IncomingMessage,
  LinkState,
  MessageUpdate,
  SeenContact,
  TransportListener,
  TransportReceipt,
} from '../transport/transport.js';

/** A {@link TransportListener} that keeps everything it is told, in order. */
export interface RecordingListener extends TransportListener {
  states: LinkState[];
  receipts: TransportReceipt[];
  messages: IncomingMessage[];
  /** Reactions, edits, deletes and poll votes, in order. */
  updates: MessageUpdate[];
  /** The contacts of each `onContacts` call. */
  contacts: SeenContact[][];
  /** Group changes, in order. */
  groupChanges: GroupChange[];
  /** Calls offered, in order. */
  calls: CallOffer[];
  /** Contacts' presences, in order. */
  presences: ContactPresence[];
  /** Every event in order, as one line each: for comparing whole runs. */
  log: string[];
}

/** A listener for tests of a transport: it records each call, and never throws. */
export function recordingListener(): RecordingListener {
  const r: RecordingListener = {
    states: [],
    receipts: [],
    messages: [],
    updates: [],
    contacts: [],
    calls: [],
    groupChanges: [],
    presences: [],
    log: [],
    onState: (s) => void (r.states.push(s), r.log.push(`state ${JSON.stringify(s)}`)),
    onReceipt: (x) => void (r.receipts.push(x), r.log.push(`receipt ${JSON.stringify(x)}`)),
    onMessage: (m) => void (r.messages.push(m), r.log.push(`message ${JSON.stringify(m)}`)),
    onUpdate: (u) => void (r.updates.push(u), r.log.push(`update ${JSON.stringify(u)}`)),
    onContacts: (c) => void (r.contacts.push(c), r.log.push(`contacts ${JSON.stringify(c)}`)),
    onGroupChange: (g) => void (r.groupChanges.push(g), r.log.push(`group ${JSON.stringify(g)}`)),
    onCall: (c) => void (r.calls.push(c), r.log.push(`call ${JSON.stringify(c)}`)),
    onPresence: (p) => void (r.presences.push(p), r.log.push(`presence ${JSON.stringify(p)}`)),
  };
  return r;
}
