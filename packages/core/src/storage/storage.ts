import type * as accounts from './account-repositories.js';
import type * as crm from './crm-repositories.js';
import type * as events from './event-repositories.js';
import type * as messages from './message-repositories.js';
import type * as outbox from './outbox-repositories.js';
import type * as sessions from './session-repositories.js';

// The contract's types live in one file an area; importers keep importing them from here.
export { SEARCH_COUNT_CAP, type Range, type RecordChanges, type Slice } from './repository-shapes.js';
export type { AnnouncementRepository, ApiTokenRepository, UserRepository } from './account-repositories.js';
export type {
  ContactGroupRepository,
  ContactRepository,
  LeadRepository,
  LeadTaskRepository,
  TemplateRepository,
} from './crm-repositories.js';
export type {
  EventRepository,
  RelayedEvent,
  StoredEvent,
  WebhookDeliveryRepository,
  WebhookRepository,
} from './event-repositories.js';
export type { MessageRepository, Receipt, ReceiptMove } from './message-repositories.js';
export type {
  BulkJobRepository,
  ClaimDecision,
  ClaimRequest,
  NewMessage,
  OptOutRepository,
  OutboxRepository,
  PoolRepository,
  SendOutcome,
} from './outbox-repositories.js';
export type {
  NumberCheckRepository,
  SessionAuthRepository,
  SessionContactRepository,
  SessionRepository,
  WhatsappGroupRepository,
} from './session-repositories.js';

/**
 * The whole storage contract. One repository per area, a transaction, migrations and close.
 * An adapter proves itself with `runStorageConformance` from `@kirim/core/testing`.
 */
export interface Storage {
  /** The adapter's name, for status pages and logs (`sqlite`, `postgres`, ...). */
  readonly dialect: string;
  readonly users: accounts.UserRepository;
  readonly apiTokens: accounts.ApiTokenRepository;
  readonly announcements: accounts.AnnouncementRepository;
  readonly contacts: crm.ContactRepository;
  readonly contactGroups: crm.ContactGroupRepository;
  readonly templates: crm.TemplateRepository;
  readonly sessions: sessions.SessionRepository;
  readonly sessionAuth: sessions.SessionAuthRepository;
  readonly sessionContacts: sessions.SessionContactRepository;
  readonly whatsappGroups: sessions.WhatsappGroupRepository;
  readonly numberChecks: sessions.NumberCheckRepository;
  readonly messages: messages.MessageRepository;
  readonly outbox: outbox.OutboxRepository;
  readonly pools: outbox.PoolRepository;
  readonly bulkJobs: outbox.BulkJobRepository;
  readonly optOuts: outbox.OptOutRepository;
  readonly leads: crm.LeadRepository;
  readonly leadTasks: crm.LeadTaskRepository;
  readonly events: events.EventRepository;
  readonly webhooks: events.WebhookRepository;
  readonly webhookDeliveries: events.WebhookDeliveryRepository;
  /** Runs `work` in one transaction: all its writes land, or none do if it throws. */
  transaction<T>(work: (tx: Storage) => Promise<T>): Promise<T>;
  /** Brings the schema up to date; safe to run again, and from several processes at once. */
  migrate(): Promise<void>;
  /** Closes connections; the storage is unusable afterwards. */
  close(): Promise<void>;
}
