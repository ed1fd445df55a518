import { randomBytes } from 'node:crypto';
import { createAccountService, type AccountService } from './accounts/account-service.js';
import { createAnnouncementService, type AnnouncementService } from './announcements/announcement-service.js';
import { systemClock, type Clock } from './clock.js';
import { createBulkExpander } from './bulk/bulk-expander.js';
import { JobTracker } from './bulk/job-tracker.js';
import { createBulkService, type BulkService } from './bulk/bulk-service.js';
import { createContactGroupService, type ContactGroupService } from './contact-groups/contact-group-service.js';
import { createContactService, type ContactService } from './contacts/contact-service.js';
import { DEFAULT_COUNTRY_CODE } from './contacts/phone.js';
import { registerEngineInternals } from './engine-internals.js';
import { createEventLog, type EventLogOptions, type EventStreams } from './event-log/event-log.js';
import { KirimEvents } from './events.js';
import { createLeadService, type LeadService } from './leads/lead-service.js';
import { createLeadTaskService, type LeadTaskService } from './leads/lead-task-service.js';
import { createLeadSource } from './leads/sources/create-lead-source.js';
import { ReceiptWriter } from './messages/receipt-writer.js';
import { createMessageActionService, type MessageActionService } from './messages/message-actions.js';
import { createMessageMediaService, type MessageMediaService } from './messages/message-media.js';
import type { LeadSource } from './leads/sources/lead-source.js';
import { silentLogger, type Logger } from './logger.js';
import type { HostResolver } from './net/safe-fetch.js';
import { Dispatcher, type DispatcherOptions } from './outbox/dispatcher.js';
import { createMediaLoader, type MediaLoaderOptions } from './outbox/media-loader.js';
import { createOptOutHook } from './outbox/opt-outs.js';
import { DEFAULT_SEND_LIMITS, effectiveLimits } from './outbox/send-limits.js';
import { createSendQueue } from './outbox/send-queue.js';
import { createSendRoutes } from './outbox/send-routes.js';
import { createSendService, type SendService, type SendServiceOptions } from './outbox/send-service.js';
import { SendWaiters } from './outbox/send-waiters.js';
import { createPoolService, type PoolService } from './pools/pool-service.js';
import { createCallHandler } from './sessions/call-handler.js';
import { SessionManager, type SessionManagerOptions } from './sessions/session-manager.js';
import { createSessionService, type SessionService } from './sessions/session-service.js';
import { createProfileService, type ProfileService } from './sessions/profile-service.js';
import { createGroupService, type GroupService } from './whatsapp-groups/group-service.js';
import { createStatusService, type StatusService } from './status/status-service.js';
import type { Storage } from './storage/storage.js';
import { createTemplateService, type TemplateService } from './templates/template-service.js';
import type { Transport } from './transport/transport.js';
import { createSecretBox } from './webhooks/secret-box.js';
import type { DeliveryState, WebhookTimings } from './webhooks/webhook-schemas.js';
import { createWebhookService, type WebhookService } from './webhooks/webhook-service.js';

/** Options of {@link createKirim}. */
export interface KirimOptions {
  storage: Storage;
  /** How WhatsApp is reached; without one, sessions cannot connect (the CRM still works). */
  transport?: Transport;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: silent. */
  logger?: Logger;
  /** How long a verified API token is trusted without reading storage again; default 5000 ms. */
  authCacheMs?: number;
  /** Country calling code for national numbers such as `0812…`; default `62`. */
  defaultCountryCode?: string;
  /** Session leases: how long one lasts and how often it is renewed (see SessionManagerOptions). */
  sessions?: SessionManagerOptions;
  /** Where scrape tasks find leads; default OpenStreetMap on its public instances (see createLeadSource). */
  leadSource?: LeadSource;
  /** Scrape task runner: lease length and idle poll interval; defaults 60 s and 2 s. */
  leadTasks?: { leaseMs?: number; pollMs?: number };
  /**
   * Seals webhook secrets at rest (AES-256-GCM): 32 bytes, or a string of 16+ characters. Every process
   * sharing a database needs the same one. Default: a random key per process, so stored secrets do not
   * survive a restart (a warning says so): pass one.
   */
  secretKey?: Uint8Array | string;
  /** Let webhook URLs reach private, loopback and link-local addresses (operators, tests); default false. */
  allowPrivateUrls?: boolean;
  /** Resolves the host names of user-given URLs (webhooks, media) when checking them; default the system's (tests inject one). */
  resolveHost?: HostResolver;
  /** Webhook retry schedule and limits; defaults in DEFAULT_WEBHOOK_TIMINGS. */
  webhooks?: Partial<WebhookTimings>;
  /** Told the state each webhook delivery attempt made here leaves its delivery in (metrics); default none. */
  onWebhookAttempt?: (state: DeliveryState) => void;
  /** The durable event log: relay poll interval (250 ms), retention (24 h). */
  eventLog?: EventLogOptions;
  /**
   * The outbox: dispatcher timing, the engine-wide send limits (anti-ban controls), how long an
   * immediate send waits, media download limits, and the words that opt a recipient out of bulk sends
   * (default STOP, UNSUBSCRIBE, BERHENTI).
   */
  outbox?: DispatcherOptions & SendServiceOptions & Omit<MediaLoaderOptions, 'clock'> & { optOutWords?: string[] };
}

/** The engine: one service per area, the event bus, and start/stop for the background loops. */
export interface Kirim {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: KirimEvents;
  readonly accounts: AccountService;
  readonly announcements: AnnouncementService;
  readonly contacts: ContactService;
  readonly contactGroups: ContactGroupService;
  readonly templates: TemplateService;
  readonly leads: LeadService;
  /** Lead scrape tasks and the configured lead source. */
  readonly leadTasks: LeadTaskService;
  readonly sessions: SessionService;
  /** Immediate and scheduled sends. */
  readonly sends: SendService;
  /** Actions on a stored message by its WhatsApp id: react, reply, edit, delete, forward, read, get. */
  readonly messages: MessageActionService;
  /** Received (and sent) messages' media, fetched from WhatsApp on demand. */
  readonly messageMedia: MessageMediaService;
  /** Numbers on WhatsApp, contacts' profiles, the account's own profile and its blocklist, live through a session. */
  readonly profiles: ProfileService;
  /** WhatsApp groups run live through a session: create, metadata, settings, members, invite link, leave. */
  readonly groups: GroupService;
  readonly pools: PoolService;
  readonly bulk: BulkService;
  readonly status: StatusService;
  /** Webhook subscriptions and their deliveries. */
  readonly webhooks: WebhookService;
  /** Live streams of a user's events, resumable from the durable log (the SSE route). */
  readonly streams: EventStreams;
  /** Subscribes to an event (or `*` for all); returns a function that unsubscribes. */
  on: KirimEvents['on'];
  off: KirimEvents['off'];
  /** Starts the background loops. */
  start(): Promise<void>;
  /** Stops the background loops and closes sessions; the storage stays open (its owner closes it). */
  stop(): Promise<void>;
}

/** Wires the engine from a storage (required) and optional transport, clock and logger. */
export function createKirim(options: KirimOptions): Kirim {
  const storage = options.storage;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  // Every published event is appended to the durable log, with its webhook deliveries, before listeners hear it;
  // the log hands the bus the events other processes appended.
  const eventLog = createEventLog({ storage, clock, logger, options: options.eventLog });
  const events = new KirimEvents(clock, eventLog);
  eventLog.onRelayed((event) => events.deliver(event, 'relayed'));
  const secretBox = createSecretBox(options.secretKey ?? randomBytes(32));
  const webhooks = createWebhookService({
    storage,
    clock,
    logger,
    events,
    secretBox,
    allowPrivateUrls: options.allowPrivateUrls,
    resolveHost: options.resolveHost,
    timings: options.webhooks,
    instanceId: eventLog.instanceId,
    onAttempt: options.onWebhookAttempt,
  });
  eventLog.onRecord(webhooks.enqueue);
  eventLog.onCommitted(webhooks.wake);
  const startedAt = clock.now();

  const outboxOptions = options.outbox ?? {};
  // Receipts may finish a job; a STOP reply opts out; a session connecting here first settles what a
  // dead owner left mid-send.
  const jobs = new JobTracker({ storage, events, clock });
  const receipts = new ReceiptWriter({
    storage,
    clock,
    logger,
    events,
    onMoved: (messages) => jobs.receipted(messages),
  });
  const onIncoming = createOptOutHook({ storage, clock, logger, words: outboxOptions.optOutWords });
  const waiters = new SendWaiters({ storage, clock });
  const callQueue = createSendQueue({ storage, clock, waiters, onQueued: () => dispatcher.poke(), waitMs: 0 });
  const onCall = createCallHandler({
    storage,
    clock,
    events,
    logger,
    queue: callQueue,
    onQueued: () => dispatcher.poke(),
  });
  const sessionManager = new SessionManager(
    { storage, clock, logger, events, transport: options.transport, receipts, onIncoming, onCall, secretBox },
    options.sessions,
  );
  const media = createMediaLoader({
    allowPrivate: options.allowPrivateUrls,
    lookup: options.resolveHost,
    ...outboxOptions,
    clock,
  });
  const sendLimits = effectiveLimits(DEFAULT_SEND_LIMITS, outboxOptions.limits);
  const dispatcher = new Dispatcher(
    {
      storage,
      clock,
      logger,
      events,
      manager: sessionManager,
      media,
      receipts,
      jobs,
      waiters,
      defaults: sendLimits,
    },
    outboxOptions,
  );
  sessionManager.onConnected((sessionId) => dispatcher.recover(sessionId));
  const accounts = createAccountService({
    storage,
    clock,
    logger,
    authCacheMs: options.authCacheMs,
    // A deleted user's devices are unlinked, not left running.
    onUserRemoved: async (userId) => {
      for (const session of await storage.sessions.list(userId))
        await sessionManager.detach(session.id, { logout: true });
    },
  });
  const announcements = createAnnouncementService({ storage, clock });
  const defaultCountryCode = options.defaultCountryCode ?? DEFAULT_COUNTRY_CODE;
  const contacts = createContactService({ storage, clock, defaultCountryCode });
  const contactGroups = createContactGroupService({ storage, clock });
  const templates = createTemplateService({ storage, clock, checkMediaUrl: media.check });
  const leads = createLeadService({ storage, clock, defaultCountryCode });
  const leadTasks = createLeadTaskService({
    storage,
    clock,
    events,
    logger,
    defaultCountryCode,
    source: options.leadSource ?? createLeadSource({ clock }),
    ...options.leadTasks,
  });
  const sessions = createSessionService({
    storage,
    clock,
    manager: sessionManager,
    defaultCountryCode,
    secretBox,
    onSettingsChanged: () => dispatcher.invalidate(),
  });
  const routes = createSendRoutes({ storage, clock, upgradeUrl: outboxOptions.upgradeUrl });
  const onQueued = () => dispatcher.poke();
  const sends = createSendService({
    storage,
    clock,
    routes,
    media,
    waiters,
    onQueued,
    defaultCountryCode,
    sendWaitMs: outboxOptions.sendWaitMs,
  });
  const messages = createMessageActionService({
    storage,
    clock,
    routes,
    waiters,
    onQueued,
    defaultCountryCode,
    sendWaitMs: outboxOptions.sendWaitMs,
  });
  const messageMedia = createMessageMediaService({ storage, clock, manager: sessionManager, secretBox });
  const pace = (sessionId: string) => dispatcher.paceQuestion(sessionId);
  const profiles = createProfileService({ storage, clock, manager: sessionManager, media, defaultCountryCode, pace });
  const pools = createPoolService({ storage, clock, routes, onChanged: () => dispatcher.invalidate() });
  const expander = createBulkExpander({ storage, clock, logger, onExpanded: onQueued });
  const bulk = createBulkService({
    storage,
    clock,
    events,
    routes,
    checkMediaUrl: media.check,
    expander,
    onQueued,
    limits: sendLimits,
    defaultCountryCode,
  });
  const status = createStatusService({
    storage,
    clock,
    startedAt,
    manager: sessionManager,
    transport: options.transport?.name ?? null,
  });

  const kirim: Kirim = {
    storage,
    clock,
    logger,
    events,
    accounts,
    announcements,
    contacts,
    contactGroups,
    templates,
    leads,
    leadTasks,
    sessions,
    sends,
    messages,
    messageMedia,
    profiles,
    groups: createGroupService({ storage, manager: sessionManager, defaultCountryCode }),
    pools,
    bulk,
    status,
    webhooks,
    streams: eventLog,
    on: events.on.bind(events),
    off: events.off.bind(events),
    async start() {
      if (!options.secretKey)
        logger.warn('no secretKey: webhook secrets are sealed with a key that dies with this process');
      await eventLog.start();
      webhooks.start();
      receipts.start();
      sessionManager.start();
      dispatcher.start();
      expander.start();
      leadTasks.start();
    },
    async stop() {
      await expander.stop();
      await dispatcher.stop();
      await sessionManager.stop();
      await receipts.stop();
      await leadTasks.stop();
      await webhooks.stop();
      await eventLog.stop();
      events.removeAllListeners();
    },
  };
  registerEngineInternals(kirim, { sessionManager, dispatcher, eventLog });
  return kirim;
}
