import { createAccountService, type AccountService } from './accounts/account-service.js';
import { createAnnouncementService, type AnnouncementService } from './announcements/announcement-service.js';
import { systemClock, type Clock } from './clock.js';
import { createContactGroupService, type ContactGroupService } from './contact-groups/contact-group-service.js';
import { createContactService, type ContactService } from './contacts/contact-service.js';
import { KirimEvents } from './events.js';
import { createLeadService, type LeadService } from './leads/lead-service.js';
import { silentLogger, type Logger } from './logger.js';
import { createStatusService, type StatusService } from './status/status-service.js';
import type { Storage } from './storage/storage.js';
import { createTemplateService, type TemplateService } from './templates/template-service.js';
import type { Transport } from './transport/transport.js';

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
  readonly status: StatusService;
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
  const events = new KirimEvents(clock);
  const startedAt = clock.now();

  const accounts = createAccountService({ storage, clock, logger, authCacheMs: options.authCacheMs });
  const announcements = createAnnouncementService({ storage, clock });
  const defaultCountryCode = options.defaultCountryCode ?? '62';
  const contacts = createContactService({ storage, clock, defaultCountryCode });
  const contactGroups = createContactGroupService({ storage, clock });
  const templates = createTemplateService({ storage, clock });
  const leads = createLeadService({ storage, clock, defaultCountryCode });
  const status = createStatusService({ storage, clock, startedAt });

  return {
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
    status,
    on: events.on.bind(events),
    off: events.off.bind(events),
    async start() {},
    async stop() {
      events.removeAllListeners();
    },
  };
}
