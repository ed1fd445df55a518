import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { detectSpreadsheetKind } from './spreadsheet-kind.js';
import { fixture } from './test-files.js';

describe('detectSpreadsheetKind', () => {
  it('tells xlsx, CSV and other files apart by content', async () => {
    expect(detectSpreadsheetKind((await readFile(fixture('contacts-libreoffice.xlsx'))).subarray(0, 512))).toBe('xlsx');
    expect(detectSpreadsheetKind((await readFile(fixture('contacts-excel-semicolon.csv'))).subarray(0, 512))).toBe(
      'csv',
    );
    expect(detectSpreadsheetKind(Buffer.from('Name,Phone\nJosé,0812'), 'upload.xlsx')).toBe('csv');
    expect(detectSpreadsheetKind(Buffer.from('89504e470d0a1a0a0000', 'hex'), 'contacts.csv')).toBeNull();
    expect(detectSpreadsheetKind(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3', 'latin1'))).toBeNull();
    expect(detectSpreadsheetKind(Buffer.from('d0cf11e0a1b11ae1', 'hex'), 'old.xls')).toBeNull();
    expect(
      detectSpreadsheetKind(Buffer.from('<html><table><tr><td>a</td></tr></table></html>'), 'export.xls'),
    ).toBeNull();
  });

  it('accepts a sample cut inside a multi-byte character', () => {
    const bytes = Buffer.from('Nama,Kota\nJosé');
    expect(detectSpreadsheetKind(bytes.subarray(0, bytes.length - 1))).toBe('csv');
  });

  it('falls back on the file name only for an empty sample', () => {
    expect(detectSpreadsheetKind(Buffer.alloc(0), 'a.CSV')).toBe('csv');
    expect(detectSpreadsheetKind(Buffer.alloc(0), 'a.xlsx')).toBe('xlsx');
    expect(detectSpreadsheetKind(Buffer.alloc(0))).toBeNull();
  });
});
