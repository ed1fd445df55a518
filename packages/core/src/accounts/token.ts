import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every token Kirim issues starts with this, so leaked ones are recognisable by secret scanners. */
export const TOKEN_PREFIX = 'kirim_';

/** A new random token: the prefix and 32 random bytes, base64url. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The stored form of a token. SHA-256 suffices: tokens carry 256 bits of entropy, so no slow hash is needed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares two hex hashes in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a token is listed as: its first characters and an ellipsis. */
export function maskToken(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 4) + '…';
}
