import { describe, expect, it } from 'vitest';
import { CONTACT_HEADER_ALIASES, LEAD_HEADER_ALIASES, matchHeaders } from './header-aliases.js';

describe('matchHeaders', () => {
  it('matches case-, space- and punctuation-insensitively across English and Indonesian spellings', () => {
    const cases: [string, string][] = [
      ['Name', 'name'],
      ['name', 'name'],
      ['Nama', 'name'],
      ['Full Name', 'name'],
      ['Phone', 'phone'],
      ['No HP', 'phone'],
      ['No. HP', 'phone'],
      ['WhatsApp', 'phone'],
      ['Nomor WA', 'phone'],
      ['Telepon', 'phone'],
      ['E-mail', 'email'],
      ['Perusahaan', 'company'],
      ['Jabatan', 'position'],
      ['Alamat', 'address'],
      ['Kota', 'city'],
      ['Negara', 'country'],
      ['Catatan', 'notes'],
      ['  NO_HP  ', 'phone'],
      ['e mail', 'email'],
    ];
    for (const [header, field] of cases) {
      expect(matchHeaders([header], CONTACT_HEADER_ALIASES).fields, header).toEqual({ [field]: header });
    }
  });

  it('returns unmatched headers as extra columns, in order', () => {
    expect(matchHeaders(['Nama', 'Hobi', 'No HP', 'Ukuran Baju'], CONTACT_HEADER_ALIASES)).toEqual({
      fields: { name: 'Nama', phone: 'No HP' },
      extra: ['Hobi', 'Ukuran Baju'],
    });
  });

  it('gives each header to one field, preferring earlier aliases', () => {
    // "Nama" means business_name for leads only when there is no "Nama Usaha".
    expect(matchHeaders(['Nama', 'Nama Usaha'], LEAD_HEADER_ALIASES)).toEqual({
      fields: { business_name: 'Nama Usaha' },
      extra: ['Nama'],
    });
    expect(matchHeaders(['Phone', 'phone'], CONTACT_HEADER_ALIASES)).toEqual({
      fields: { phone: 'Phone' },
      extra: ['phone'],
    });
  });

  it('matches the canonical field names themselves', () => {
    expect(matchHeaders(['business_name', 'Lat', 'Lng'], LEAD_HEADER_ALIASES).fields).toEqual({
      business_name: 'business_name',
      latitude: 'Lat',
      longitude: 'Lng',
    });
  });
});
