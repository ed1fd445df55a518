/**
 * Identities and addresses for the simulated network. Identities (LIDs, try-out phone numbers) are derived
 * from the network's seed, so they stay the same across runs and restarts; message ids, group JIDs, QR and
 * pairing codes come from a cryptographic source unless a seed is given (reproducible tests).
 */
import { getRandomValues } from 'node:crypto';

/** A seeded pseudo-random generator (mulberry32) returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Numbers in [0, 1) from the system's cryptographic source, drawn a pool at a time (a send draws 18).
 * Unlike a seeded stream, no two starts share a sequence: ids are unique across restarts, as WhatsApp's are.
 */
export function secureRandom(): () => number {
  const pool = new Uint32Array(1024);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      getRandomValues(pool);
      next = 0;
    }
    return pool[next++]! / 4_294_967_296;
  };
}

/** `length` characters of `alphabet` drawn from `random`. */
export function drawChars(random: () => number, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

/**
 * `length` digits (the first not zero) derived from `key` alone: an id made this way does not depend on
 * the order in which other things were created, so a phone keeps its LID across runs and restarts.
 */
export function digitsFor(key: string, length: number): string {
  const random = seededRandom(fnv1a(key));
  return drawChars(random, '123456789', 1) + drawChars(random, '0123456789', length - 1);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Whether `value` is a phone number as the port takes it: digits only, with a country code. */
export function isPhoneNumber(value: string): boolean {
  return /^\d{7,15}$/.test(value);
}

/** The user JID of a phone number. */
export function userJid(phone: string): string {
  return `${phone}@s.whatsapp.net`;
}

/** A WhatsApp address split into what it names. */
export type ParsedJid = { kind: 'user'; phone: string } | { kind: 'lid'; lid: string } | { kind: 'group'; jid: string };

/** Parses a user, LID or group JID; anything else is null. */
export function parseJid(jid: string): ParsedJid | null {
  const user = /^(\d{7,15})@s\.whatsapp\.net$/.exec(jid);
  if (user) return { kind: 'user', phone: user[1] };
  if (/^\d+@lid$/.test(jid)) return { kind: 'lid', lid: jid };
  if (/^[\d-]+@g\.us$/.test(jid)) return { kind: 'group', jid };
  return null;
}
