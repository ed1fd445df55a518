import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { KirimError } from '../errors.js';

/** Encrypts the secrets Kirim must use again (webhook signing secrets) with AES-256-GCM. */
export interface SecretBox {
  /** `v1.<key id>.<iv>.<tag>.<ciphertext>`, base64url parts; a fresh IV each time. */
  seal(plaintext: string): string;
  /** The plaintext; `internal` if the value was sealed with another key or was tampered with. */
  open(sealed: string): string;
}

/**
 * A {@link SecretBox} on `key`: 32 bytes used as they are, or any string of 16+ characters (hashed
 * to 32 bytes with SHA-256). Each sealed value names its key's id, so a changed key is reported as such.
 */
export function createSecretBox(key: Uint8Array | string): SecretBox {
  const material = typeof key === 'string' ? keyFromString(key) : Buffer.from(key);
  if (material.length !== 32) throw new KirimError('validation', 'The secret key must be 32 bytes');
  const keyId = createHash('sha256').update(material).digest('base64url').slice(0, 8);
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', material, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'v1',
        keyId,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        ciphertext.toString('base64url'),
      ].join('.');
    },
    open(sealed) {
      const [version, id, iv, tag, ciphertext] = sealed.split('.');
      if (version !== 'v1' || !ciphertext) throw new KirimError('internal', 'Not a sealed secret');
      if (id !== keyId)
        throw new KirimError(
          'internal',
          `Secret was sealed with another key (${id}, this process has ${keyId}): set the same KIRIM_SECRET_KEY everywhere`,
        );
      try {
        const decipher = createDecipheriv('aes-256-gcm', material, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch (error) {
        throw new KirimError('internal', 'Sealed secret failed its integrity check', { cause: error });
      }
    },
  };
}

function keyFromString(key: string): Buffer {
  if (key.length < 16) throw new KirimError('validation', 'The secret key must be at least 16 characters');
  return createHash('sha256').update(key, 'utf8').digest();
}
