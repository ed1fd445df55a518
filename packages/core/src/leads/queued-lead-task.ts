import type { LeadTask } from './lead-task-schemas.js';

/** A task as a scrape queues it: nothing found yet, never claimed, `updated_at` its `created_at`. */
export function queuedLeadTask(task: Pick<LeadTask, 'id' | 'user_id' | 'query' | 'total' | 'created_at'>): LeadTask {
  return {
    ...task,
    source: null,
    status: 'queued',
    found: 0,
    saved: 0,
    merged: 0,
    skipped: 0,
    error: null,
    cursor: null,
    lease_owner: null,
    lease_expires_at: null,
    attempts: 0,
    started_at: null,
    finished_at: null,
    updated_at: task.created_at,
  };
}
