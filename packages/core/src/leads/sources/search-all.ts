import type { LeadCandidate, LeadSource } from './lead-source.js';

/** Reads a whole search (tests and scripts): the candidates and the checkpoint stored before each. */
export async function searchAll(
  source: LeadSource,
  text: string,
  options: { limit?: number; resumeFrom?: string; signal?: AbortSignal } = {},
): Promise<{ candidates: LeadCandidate[]; checkpoints: string[] }> {
  const candidates: LeadCandidate[] = [];
  const checkpoints: string[] = [];
  const progress = {
    resumeFrom: options.resumeFrom,
    signal: options.signal ?? new AbortController().signal,
    checkpoint: (s: string) => void checkpoints.push(s),
  };
  for await (const candidate of source.search({ text, limit: options.limit ?? 100 }, progress))
    candidates.push(candidate);
  return { candidates, checkpoints };
}
