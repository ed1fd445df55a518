import type { Storage } from '@kirim/core';
import { Migrator, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialect } from './dialect.js';
import { translateDriverError, translatingErrors } from './driver-errors.js';
import { migrationProvider } from './migrations/index.js';
import { KyselyAnnouncementRepository } from './repositories/announcement-repository.js';
import { KyselyApiTokenRepository } from './repositories/api-token-repository.js';
import { KyselyContactGroupRepository } from './repositories/contact-group-repository.js';
import { KyselyContactRepository } from './repositories/contact-repository.js';
import { KyselyLeadRepository } from './repositories/lead-repository.js';
import { KyselyLeadTaskRepository } from './repositories/lead-task-repository.js';
import { KyselyNumberCheckRepository } from './repositories/number-check-repository.js';
import { KyselyTemplateRepository } from './repositories/template-repository.js';
import { KyselyMessageRepository } from './repositories/message-repository.js';
import { KyselyBulkJobRepository } from './repositories/bulk-job-repository.js';
import { KyselyOptOutRepository } from './repositories/opt-out-repository.js';
import { KyselyOutboxRepository } from './repositories/outbox-repository.js';
import { KyselyPoolRepository } from './repositories/pool-repository.js';
import { KyselySessionAuthRepository } from './repositories/session-auth-repository.js';
import { KyselySessionContactRepository } from './repositories/session-contact-repository.js';
import { KyselySessionRepository } from './repositories/session-repository.js';
import { KyselyWhatsappGroupRepository } from './repositories/whatsapp-group-repository.js';
import { KyselyUserRepository } from './repositories/user-repository.js';
import { KyselyEventRepository } from './repositories/event-repository.js';
import { KyselyWebhookDeliveryRepository } from './repositories/webhook-delivery-repository.js';
import { KyselyWebhookRepository } from './repositories/webhook-repository.js';

/** The contract's repositories, each a class built on a Kysely instance and the dialect. */
type RepositoryName = Exclude<keyof Storage, 'dialect' | 'transaction' | 'migrate' | 'close'>;

/** Each repository of the contract and its Kysely implementation. */
const REPOSITORIES: { [N in RepositoryName]: new (db: Kysely<Database>, dialect: SqlDialect) => Storage[N] } = {
  users: KyselyUserRepository,
  apiTokens: KyselyApiTokenRepository,
  announcements: KyselyAnnouncementRepository,
  contacts: KyselyContactRepository,
  contactGroups: KyselyContactGroupRepository,
  templates: KyselyTemplateRepository,
  sessions: KyselySessionRepository,
  sessionAuth: KyselySessionAuthRepository,
  sessionContacts: KyselySessionContactRepository,
  whatsappGroups: KyselyWhatsappGroupRepository,
  numberChecks: KyselyNumberCheckRepository,
  messages: KyselyMessageRepository,
  outbox: KyselyOutboxRepository,
  pools: KyselyPoolRepository,
  bulkJobs: KyselyBulkJobRepository,
  optOuts: KyselyOptOutRepository,
  leads: KyselyLeadRepository,
  leadTasks: KyselyLeadTaskRepository,
  events: KyselyEventRepository,
  webhooks: KyselyWebhookRepository,
  webhookDeliveries: KyselyWebhookDeliveryRepository,
};

/** Every repository on `db`, each turning driver errors into `KirimError`s. */
function repositoriesOn(db: Kysely<Database>, dialect: SqlDialect): Pick<Storage, RepositoryName> {
  const built = Object.entries(REPOSITORIES).map(([name, Repository]) => [
    name,
    translatingErrors(new Repository(db, dialect)),
  ]);
  return Object.fromEntries(built) as Pick<Storage, RepositoryName>;
}

/** Options of {@link createKyselyStorage}. */
export interface KyselyStorageOptions {
  db: Kysely<Database>;
  /** What the database can do (row locks, unnest…): the preset's. */
  dialect: SqlDialect;
  /** Runs after the Kysely instance is destroyed (a preset closes what it opened). */
  onClose?: () => Promise<void> | void;
}

/** The storage contract on any Kysely instance of a supported dialect. Presets build the instance. */
export function createKyselyStorage(options: KyselyStorageOptions): Storage {
  return build(options.db, options, false);
}

function build(db: Kysely<Database>, options: KyselyStorageOptions, inTransaction: boolean): Storage {
  const storage: Storage = {
    dialect: options.dialect.name,
    ...repositoriesOn(db, options.dialect),

    async transaction(work) {
      // Nested calls join the open transaction: a unit of work composes from smaller ones.
      if (inTransaction) return work(storage);
      try {
        return await db.transaction().execute((trx) => work(build(trx, options, true)));
      } catch (error) {
        throw translateDriverError(error);
      }
    },

    async migrate() {
      // Kysely looks for its bookkeeping tables in every schema it can see; pin them to ours so two
      // stores in one PostgreSQL database (tests, or tenants by search_path) never read each other's.
      const migrationTableSchema = await options.dialect.migrationTableSchema(db);
      const migrator = new Migrator({ db, provider: migrationProvider(options.dialect), migrationTableSchema });
      const { error, results } = await migrator.migrateToLatest();
      const failed = results?.find((r) => r.status === 'Error');
      if (error)
        throw new Error(
          `Migration ${failed?.migrationName ?? ''} failed: ${String((error as Error).message ?? error)}`,
          { cause: error },
        );
    },

    async close() {
      await db.destroy();
      await options.onClose?.();
    },
  };
  return storage;
}
