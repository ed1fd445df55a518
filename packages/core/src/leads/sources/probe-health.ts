import type { LeadSourceHealth } from './lead-source.js';

/** A lead source's health that never throws: what `probe` answers, or not ok with the message of what it threw. */
export async function probeHealth(probe: () => Promise<LeadSourceHealth>): Promise<LeadSourceHealth> {
  try {
    return await probe();
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}
