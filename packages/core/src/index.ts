export { createKirim, type Kirim, type KirimOptions } from './kirim.js';
export { KirimError, ERROR_CODES, isKirimError, type ErrorCode, type FieldErrors } from './errors.js';
export { systemClock, type Clock, type SleepOptions } from './clock.js';
export { silentLogger, type Logger } from './logger.js';
export type { KirimEvents, EventOrigin, KirimEvent, KirimEventMap, KirimEventName, Peer } from './events.js';
export { isAdmin, type Actor, type Plan, type Role } from './actor.js';
export type { Page, PageQuery } from './validation.js';
export type {
  OutboxRepository,
  PoolRepository,
  BulkJobRepository,
  OptOutRepository,
  NewMessage,
  ClaimDecision,
  ClaimRequest,
  SendOutcome,
  SessionRepository,
  SessionAuthRepository,
  SessionContactRepository,
  WhatsappGroupRepository,
  MessageRepository,
  Storage,
  UserRepository,
  ApiTokenRepository,
  AnnouncementRepository,
  ContactRepository,
  ContactGroupRepository,
  TemplateRepository,
  LeadRepository,
  Range,
  RecordChanges,
  Slice,
} from './storage/storage.js';
export { SEARCH_COUNT_CAP } from './storage/storage.js';
export type {
  EventRepository,
  Receipt,
  ReceiptMove,
  RelayedEvent,
  StoredEvent,
  WebhookRepository,
  WebhookDeliveryRepository,
} from './storage/storage.js';
export type { HostResolver, ResolvedAddress } from './net/safe-fetch.js';
export {
  WEBHOOK_EVENT_NAMES,
  DELIVERY_STATES,
  DEFAULT_WEBHOOK_TIMINGS,
  type Webhook,
  type WebhookView,
  type WebhookDelivery,
  type WebhookDeliveryView,
  type DeliveryState,
  type CreateWebhookInput,
  type WebhookTimings,
} from './webhooks/webhook-schemas.js';
export type { WebhookService } from './webhooks/webhook-service.js';
export type { EventStreams, EventLogOptions, StreamedEvent } from './event-log/event-log.js';
export type {
  User,
  ApiToken,
  ApiTokenView,
  CreateUserInput,
  UpdateUserInput,
  GenerateTokenInput,
} from './accounts/account-schemas.js';
export type { AccountService, GeneratedToken } from './accounts/account-service.js';
export { TOKEN_PREFIX } from './accounts/token.js';
export type { StatusService, EngineStatus } from './status/status-service.js';
export type {
  Transport,
  Connection,
  ConnectOptions,
  TransportListener,
  AuthStore,
  LinkState,
  IncomingMessage,
  OutgoingMedia,
  OutgoingContent,
  OutgoingContact,
  OutgoingKind,
  LinkPreview,
  PresenceState,
  OutgoingResult,
  SendOptions,
  StoredMessage,
  GroupInfo,
  SeenContact,
  ReceiptStatus,
  TransportReceipt,
} from './transport/transport.js';
export {
  createBaileysTransport,
  DEFAULT_RECONNECT,
  type BaileysTransportOptions,
} from './transport/baileys/baileys-transport.js';
export {
  ANNOUNCEMENT_TYPES,
  type Announcement,
  type AnnouncementType,
  type CreateAnnouncementInput,
  type UpdateAnnouncementInput,
} from './announcements/announcement-schemas.js';
export type { AnnouncementService } from './announcements/announcement-service.js';
export type {
  Contact,
  ContactFilter,
  ContactStatistics,
  ContactImportReport,
  CreateContactInput,
  UpdateContactInput,
  ListContactsInput,
} from './contacts/contact-schemas.js';
export { CONTACT_COLUMNS, type ContactService, type ContactExport } from './contacts/contact-service.js';
export type {
  ContactGroup,
  CreateContactGroupInput,
  UpdateContactGroupInput,
} from './contact-groups/contact-group-schemas.js';
export type { ContactGroupService } from './contact-groups/contact-group-service.js';
export {
  MESSAGE_TYPES,
  type Template,
  type MessageType,
  type CreateTemplateInput,
  type UpdateTemplateInput,
} from './templates/template-schemas.js';
export type { TemplateService } from './templates/template-service.js';
export {
  LEAD_STATUSES,
  MAX_LEAD_IMPORT_ROWS,
  type Lead,
  type LeadStatus,
  type LeadFilter,
  type LeadStatistics,
  type LeadImportReport,
  type CreateLeadInput,
  type UpdateLeadInput,
  type ListLeadsInput,
  type ImportLeadsInput,
  type BulkLeadStatusInput,
} from './leads/lead-schemas.js';
export type { LeadService, LeadSaveResult } from './leads/lead-service.js';
export type { LeadTaskRepository } from './storage/storage.js';
export type { NumberCheckRepository } from './storage/storage.js';
export {
  LEAD_TASK_STATUSES,
  MAX_LEAD_TASK_TOTAL,
  type LeadTask,
  type LeadTaskChanges,
  type LeadTaskStatus,
  type LeadTaskView,
  type LeadTaskDetail,
  type LeadSourceStatus,
  type ScrapeLeadsInput,
  type ListLeadTasksInput,
} from './leads/lead-task-schemas.js';
export type { LeadTaskService } from './leads/lead-task-service.js';
export type {
  LeadSource,
  LeadCandidate,
  LeadSearchQuery,
  LeadSearchProgress,
  LeadSourceHealth,
} from './leads/sources/lead-source.js';
export {
  createLeadSource,
  LEAD_SOURCE_KINDS,
  type LeadSourceKind,
  type LeadSourceOptions,
} from './leads/sources/create-lead-source.js';
export {
  OpenStreetMapLeadSource,
  type OpenStreetMapLeadSourceOptions,
} from './leads/sources/openstreetmap-lead-source.js';
export {
  GooglePlacesLeadSource,
  type GooglePlacesLeadSourceOptions,
} from './leads/sources/google-places-lead-source.js';
export { ScraperLeadSource, type ScraperLeadSourceOptions } from './leads/sources/scraper-lead-source.js';
export {
  SESSION_STATUSES,
  type Session,
  type SessionStatus,
  type SessionView,
  type SessionStatusView,
  type SessionContact,
  type SessionSettings,
} from './sessions/session-schemas.js';
export {
  MESSAGE_STATUSES,
  RECEIPT_MOVES_FROM,
  type Message,
  type MessageStatus,
  type MessageFilter,
  type MessageMedia,
  type MessageView,
} from './messages/message-schemas.js';
export { messageLifeAfter, type MessageLife } from './messages/message-life.js';
export type { MessageUpdate } from './transport/transport.js';
export type {
  BusinessProfile,
  ContactProfile,
  NumberCheck,
  OwnProfileChanges,
  ProfileActions,
} from './transport/transport.js';
export { MediaGoneError, type MediaDownload } from './transport/transport.js';
export type {
  GroupActions,
  GroupChange,
  GroupMetadata,
  GroupRole,
  GroupSettingsChange,
  ParticipantAction,
  ParticipantStatus,
} from './transport/transport.js';
export type { WhatsappGroup } from './whatsapp-groups/whatsapp-group-schemas.js';
export type { SessionManagerOptions } from './sessions/session-manager.js';
export type { SessionService } from './sessions/session-service.js';
export type { ProfileService } from './sessions/profile-service.js';
export type { GroupService } from './whatsapp-groups/group-service.js';
export { PARTICIPANT_RESULTS, type ParticipantResult } from './whatsapp-groups/group-schemas.js';
export { MAX_NUMBER_CHECKS, type BlockedView, type ContactProfileView } from './sessions/profile-schemas.js';
export { NUMBER_CHECK_TTL_MS } from './sessions/number-checks.js';
export type { SendService } from './outbox/send-service.js';
export { EDIT_WINDOW_MS, type MessageActionService, type StoredCopyRemoved } from './messages/message-actions.js';
export { MEDIA_REFRESH_TIMEOUT_MS, type MediaFile, type MessageMediaService } from './messages/message-media.js';
export type { PoolService } from './pools/pool-service.js';
export type { BulkService } from './bulk/bulk-service.js';
// The simulated network is also a transport of its own: the reference server's try-out mode runs on it.
export {
  createSimulatedNetwork,
  type SimulatedNetwork,
  type SimulatedNetworkOptions,
} from './testing/simulated-network.js';
export type { Pool, PoolView, CreatePoolInput, UpdatePoolInput } from './pools/pool-schemas.js';
export type {
  BulkBatch,
  BulkJob,
  BulkJobStatus,
  BulkJobView,
  SkippedRecipient,
  SkipReason,
} from './bulk/bulk-schemas.js';
export { DEFAULT_SEND_LIMITS, type SendLimits } from './outbox/send-limits.js';
// The engine's other defaults, so a host's configuration (the reference server's) defaults to them rather than to copies.
export { DEFAULT_DISPATCHER_OPTIONS } from './outbox/dispatcher.js';
export { DEFAULT_SEND_SERVICE_OPTIONS } from './outbox/send-service.js';
export { DEFAULT_MEDIA_LIMITS } from './outbox/media-loader.js';
export { DEFAULT_OPT_OUT_WORDS } from './outbox/opt-outs.js';
export { DEFAULT_SESSION_LEASE } from './sessions/session-manager.js';
export { DEFAULT_EVENT_LOG_OPTIONS } from './event-log/event-log.js';
export { DEFAULT_AUTH_CACHE_MS } from './accounts/account-service.js';
export { DEFAULT_COUNTRY_CODE } from './contacts/phone.js';
export { DEFAULT_NOMINATIM_URL, DEFAULT_OVERPASS_URL } from './leads/sources/openstreetmap-lead-source.js';
export { DEFAULT_GOOGLE_PLACES_URL } from './leads/sources/google-places-lead-source.js';
export { sendFailedError } from './outbox/send-faults.js';
export { connectRemoteNetwork } from './testing/remote-network.js';
