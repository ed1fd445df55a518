import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isKirimError } from '../errors.js';
import { parse } from '../validation.js';
import { isGroupJid, normalisePhone, phoneSchema, toUserJid, tryNormalisePhone } from './phone.js';

describe('normalisePhone', () => {
  it.each([
    // Every spelling in /work/shared/fixtures/README.md, with its expected normalised value.
    ['0812-3456-7890', '6281234567890'],
    ['+62 813 1111 2222', '6281311112222'],
    ['6285700001111', '6285700001111'],
    ['(0821) 9999-0000', '6282199990000'],
    ['62 811 2233 4455', '6281122334455'],
    ['081398765432', '6281398765432'],
    ['+65 8123 4567', '6581234567'],
    ['+6281234567890', '6281234567890'],
    ['0857-1234-5678', '6285712345678'],
    ['0813 2000 3333', '6281320003333'],
    ['6281220001111', '6281220001111'],
    // Other spellings people type or paste.
    ['6281234567890', '6281234567890'],
    ['+62 812-3456-7890', '6281234567890'],
    ['  0812 3456 7890  ', '6281234567890'],
    ['0812.3456.7890', '6281234567890'],
    ['0812\u00a03456\u00a07890', '6281234567890'],
    ['81234567890', '6281234567890'],
    ['0062 812 3456 7890', '6281234567890'],
    ['+1 (202) 555-0123', '12025550123'],
    ['021 1234 5678', '622112345678'],
  ])('normalises %j to %s', (input, expected) => {
    expect(normalisePhone(input)).toBe(expected);
  });

  it('reads the number out of user JIDs, with or without a device suffix', () => {
    expect(normalisePhone('6281234567890@s.whatsapp.net')).toBe('6281234567890');
    expect(normalisePhone('6281234567890:12@s.whatsapp.net')).toBe('6281234567890');
    expect(normalisePhone('6281234567890@c.us')).toBe('6281234567890');
  });

  it('uses the given default country code for national numbers', () => {
    expect(normalisePhone('8123 4567', '65')).toBe('6581234567');
    expect(normalisePhone('6581234567', '65')).toBe('6581234567');
    expect(normalisePhone('0812-3456-7890', '62')).toBe('6281234567890');
  });

  it.each([
    'bukan nomor',
    '',
    '   ',
    '+',
    '123',
    '0812',
    '+62 12',
    'abc0812345678',
    '0812-3456-7890 ext 5',
    '+6281234567890123',
    '120363012345678901@g.us',
    '12345@lid',
    'budi@example.com',
    '+999 1234567',
  ])('rejects %j with a validation error naming phone', (input) => {
    expect(tryNormalisePhone(input, '62')).toBeNull();
    try {
      normalisePhone(input);
      expect.unreachable();
    } catch (error) {
      expect(isKirimError(error, 'validation')).toBe(true);
      expect((error as { details: unknown }).details).toEqual({ phone: ['is not a valid phone number'] });
    }
  });

  it('names the given field in the error details', () => {
    expect(() => normalisePhone('nope', '62', 'recipients.3')).toThrow(
      expect.objectContaining({ details: { 'recipients.3': ['is not a valid phone number'] } }),
    );
  });

  it('returns null from tryNormalisePhone for non-strings', () => {
    expect(tryNormalisePhone(undefined as unknown as string)).toBeNull();
  });
});

describe('phoneSchema', () => {
  const schema = z.object({ phone: phoneSchema('62') });

  it('outputs normalised digits from strings and whole numbers', () => {
    expect(schema.parse({ phone: '0812-3456-7890' })).toEqual({ phone: '6281234567890' });
    expect(schema.parse({ phone: 6281234567890 })).toEqual({ phone: '6281234567890' });
  });

  it('refuses an invalid number with "is not a valid phone number" under the field', () => {
    expect(() => parse(schema, { phone: 'bukan nomor' })).toThrow(
      expect.objectContaining({ code: 'validation', details: { phone: ['is not a valid phone number'] } }),
    );
    expect(() => parse(schema, { phone: { x: 1 } })).toThrow(
      expect.objectContaining({ details: { phone: ['is not a valid phone number'] } }),
    );
  });

  it('says "is required" when the phone is missing', () => {
    expect(() => parse(schema, {})).toThrow(expect.objectContaining({ details: { phone: ['is required'] } }));
  });

  it('works as an optional field', () => {
    const optional = z.object({ phone: phoneSchema().optional() });
    expect(optional.parse({})).toEqual({});
  });
});

describe('toUserJid / isGroupJid', () => {
  it('builds a user JID from normalised digits', () => {
    expect(toUserJid('6281234567890')).toBe('6281234567890@s.whatsapp.net');
  });

  it('refuses input that is not normalised digits', () => {
    expect(() => toUserJid('+62 812')).toThrow(expect.objectContaining({ code: 'validation' }));
  });

  it('tells group JIDs from user JIDs', () => {
    expect(isGroupJid('120363012345678901@g.us')).toBe(true);
    expect(isGroupJid('6281234567890@s.whatsapp.net')).toBe(false);
    expect(isGroupJid('6281234567890')).toBe(false);
  });
});
