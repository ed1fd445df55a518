import type { AnnouncementRepository, ApiTokenRepository, UserRepository } from './account-repositories.js';
import type {
  ContactGroupRepository,
  ContactRepository,
  LeadRepository,
  LeadTaskRepository,
  TemplateRepository,
} from './crm-repositories.js';
import type { EventRepository, WebhookDeliveryRepository, WebhookRepository } from './event-repositories.js';
import type { MessageRepository } from './message-repositories.js';
import type { BulkJobRepository, OptOutRepository, OutboxRepository, PoolRepository } from './outbox-repositories.js';
import type {
  SessionAuthRepository,
  SessionContactRepository,
  SessionRepository,
  WhatsappGroupRepository,
} from './session-repositories.js';

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
  readonly users: UserRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly announcements: AnnouncementRepository;
  readonly contacts: ContactRepository;
  readonly contactGroups: ContactGroupRepository;
  readonly templates: TemplateRepository;
  readonly sessions: SessionRepository;
  readonly sessionAuth: SessionAuthRepository;
  readonly sessionContacts: SessionContactRepository;
  readonly whatsappGroups: WhatsappGroupRepository;
  readonly messages: MessageRepository;
  readonly outbox: OutboxRepository;
  readonly pools: PoolRepository;
  readonly bulkJobs: BulkJobRepository;
  readonly optOuts: OptOutRepository;
  readonly leads: LeadRepository;
  readonly leadTasks: LeadTaskRepository;
  readonly events: EventRepository;
  readonly webhooks: WebhookRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
  /** Runs `work` in one transaction: all its writes land, or none do if it throws. */
  transaction<T>(work: (tx: Storage) => Promise<T>): Promise<T>;
  /** Brings the schema up to date; safe to run again, and from several processes at once. */
  migrate(): Promise<void>;
  /** Closes connections; the storage is unusable afterwards. */
  close(): Promise<void>;
}
