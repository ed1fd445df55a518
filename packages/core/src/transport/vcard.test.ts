import { describe, expect, it } from 'vitest';
import { contactOfVcard, vcardOf } from './vcard.js';

describe('contactOfVcard', () => {
  it('reads back a card vcardOf wrote, escaped characters included', () => {
    const contact = {
      name: 'Citra, S.E.',
      phone: '6281100000003',
      organization: 'Toko; Cabang 2',
      email: 'c@toko.example',
    };
    expect(contactOfVcard(vcardOf(contact))).toEqual(contact);
  });

  it("reads a phone's card: the number from waid in an item group, the name from FN", () => {
    const vcard = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:;Dewi;;;',
      'FN:Dewi Lestari',
      'item1.TEL;waid=6281100000004:+62 811-0000-0004',
      'item1.X-ABLabel:Mobile',
      'END:VCARD',
    ].join('\n');
    expect(contactOfVcard(vcard)).toEqual({ name: 'Dewi Lestari', phone: '6281100000004' });
  });

  it("takes the name from N without FN, the first TEL's digits without waid, and unfolds folded lines", () => {
    const vcard = 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lestari;Dewi;;;\r\nTEL;type=CELL:+62 811\r\n 0000 0005\r\nEND:VCARD';
    expect(contactOfVcard(vcard)).toEqual({ name: 'Dewi Lestari', phone: '6281100000005' });
  });

  it('gives an empty number for a card without one', () => {
    expect(contactOfVcard('BEGIN:VCARD\nFN:Tanpa Nomor\nEND:VCARD')).toEqual({ name: 'Tanpa Nomor', phone: '' });
  });
});
