import { afterEach, beforeEach, describe } from 'vitest';
import type { Storage } from '../../storage/storage.js';
import { describeAccounts } from './account-conformance.js';
import { describeAnnouncements } from './announcement-conformance.js';
import { describeBulkJobs } from './bulk-job-conformance.js';
import { describeContacts } from './contact-conformance.js';
import type { ConformanceContext } from './conformance-context.js';
import { describeLeads } from './lead-conformance.js';
import { describeLeadTasks } from './lead-task-conformance.js';
import { describeMessageLife } from './message-life-conformance.js';
import { describeMessages } from './message-conformance.js';
import { describeNumberChecks } from './number-check-conformance.js';
import { describeOptOuts } from './opt-out-conformance.js';
import { describeOutbox } from './outbox-conformance.js';
import { describePools } from './pool-conformance.js';
import { describeSessions } from './session-conformance.js';
import { describeSessionContacts } from './session-contact-conformance.js';
import { describeEvents } from './event-conformance.js';
import { describeWebhooks } from './webhook-conformance.js';
import { describeWhatsappGroups } from './whatsapp-group-conformance.js';

/**
 * Runs the storage conformance suite: one `describe` per repository, each test on a fresh,
 * migrated, empty store from `makeStorage`, closed afterwards. Call it once from your adapter's test file.
 */
export function runStorageConformance(name: string, makeStorage: () => Storage | Promise<Storage>): void {
  describe(`storage conformance: ${name}`, () => {
    let current: Storage | undefined;
    beforeEach(async () => {
      current = await makeStorage();
      await current.migrate();
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    const ctx: ConformanceContext = {
      storage: () => {
        if (!current) throw new Error('no store: conformance tests run inside the suite');
        return current;
      },
    };
    describeAccounts(ctx);
    describeAnnouncements(ctx);
    describeContacts(ctx);
    describeLeads(ctx);
    describeLeadTasks(ctx);
    describeSessions(ctx);
    describeOutbox(ctx);
    describeSessionContacts(ctx);
    describeWhatsappGroups(ctx);
    describeNumberChecks(ctx);
    describePools(ctx);
    describeOptOuts(ctx);
    describeMessages(ctx);
    describeMessageLife(ctx);
    describeBulkJobs(ctx);
    describeEvents(ctx);
    describeWebhooks(ctx);
  });
}
