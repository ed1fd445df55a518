import type { Migration, MigrationProvider } from 'kysely';
import type { SqlDialect } from '../dialect.js';
import { accountsMigration } from './0001-accounts.js';
import { announcementsMigration } from './0002-announcements.js';
import { contactsMigration } from './0003-contacts.js';
import { leadsMigration } from './0004-leads.js';
import { sessionsMigration } from './0005-sessions.js';
import { eventsWebhooksMigration } from './0006-events-webhooks.js';
import { leadTasksMigration } from './0007-lead-tasks.js';
import { outboxMigration } from './0008-outbox.js';
import { partialMessageIndexesMigration } from './0009-partial-message-indexes.js';
import { bulkBatchesMigration } from './0010-bulk-batches.js';
import { backlogIndexesMigration } from './0011-backlog-indexes.js';
import { circuitReasonMigration } from './0012-circuit-reason.js';
import { bulkJobSkipsMigration } from './0013-bulk-job-skips.js';
import { sessionNextRetryMigration } from './0014-session-next-retry.js';
import { sessionLinkedAtMigration } from './0015-session-linked-at.js';
import { messageContentMigration } from './0016-message-content.js';
import { messageLifeMigration } from './0017-message-life.js';
import { numberChecksMigration } from './0018-number-checks.js';

// Append only: a released migration never changes, a change is a new file.
const MIGRATIONS: Array<[string, (dialect: SqlDialect) => Migration]> = [
  ['0001-accounts', accountsMigration],
  ['0002-announcements', announcementsMigration],
  ['0003-contacts', contactsMigration],
  ['0004-leads', leadsMigration],
  ['0005-sessions', sessionsMigration],
  ['0006-events-webhooks', eventsWebhooksMigration],
  ['0007-lead-tasks', leadTasksMigration],
  ['0008-outbox', outboxMigration],
  ['0009-partial-message-indexes', partialMessageIndexesMigration],
  ['0010-bulk-batches', bulkBatchesMigration],
  ['0011-backlog-indexes', backlogIndexesMigration],
  ['0012-circuit-reason', circuitReasonMigration],
  ['0013-bulk-job-skips', bulkJobSkipsMigration],
  ['0014-session-next-retry', sessionNextRetryMigration],
  ['0015-session-linked-at', sessionLinkedAtMigration],
  ['0016-message-content', messageContentMigration],
  ['0017-message-life', messageLifeMigration],
  ['0018-number-checks', numberChecksMigration],
];

/** Kysely's migration provider for a dialect, from the list above (no file-system scanning: works bundled). */
export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return {
    async getMigrations() {
      return Object.fromEntries(MIGRATIONS.map(([name, make]) => [name, make(dialect)]));
    },
  };
}
