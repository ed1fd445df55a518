import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { cellToString, explainRoundedPhone, ROUNDED_PHONE_REASON } from './cell-values.js';
import { readAll } from './spreadsheet-test-helpers.js';
import { useTempFolder } from './test-files.js';

const tempPath = useTempFolder('kirim-cell-values-');

describe('explainRoundedPhone', () => {
  it("names a phone a spreadsheet rounded to scientific notation, in any locale's spelling, and leaves other errors alone", () => {
    for (const phone of ['6.28131E+12', '6,28131E+12', '6.3e12', ' 6E+12 ']) {
      expect(explainRoundedPhone({ phone: ['is not a valid phone number'], email: ['bad'] }, phone), phone).toEqual({
        phone: [ROUNDED_PHONE_REASON],
        email: ['bad'],
      });
    }
    expect(explainRoundedPhone({ phone: ['is not a valid phone number'] }, 'bukan nomor')).toEqual({
      phone: ['is not a valid phone number'],
    });
  });
});

describe('readSpreadsheetRows: cell values', () => {
  it('converts typed xlsx cells to the text a user sees', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Typed');
    // An empty first row and column: the header is the first non-blank row, wherever it is.
    ['Phone', 'Email', 'Born', 'At', 'Total', 'Rich', 'Ok', 'Big', 'Tiny', 'Err'].forEach((header, i) => {
      sheet.getRow(3).getCell(i + 2).value = header;
    });
    const row = sheet.getRow(4);
    row.getCell(2).value = 6281234567890;
    row.getCell(3).value = { text: 'budi@example.co.id', hyperlink: 'mailto:budi@example.co.id' };
    row.getCell(4).value = new Date(Date.UTC(1990, 4, 17));
    row.getCell(4).numFmt = 'yyyy-mm-dd';
    row.getCell(5).value = new Date(Date.UTC(2024, 0, 2, 13, 45, 0));
    row.getCell(5).numFmt = 'yyyy-mm-dd hh:mm';
    row.getCell(6).value = { formula: '1+2', result: 3 };
    row.getCell(7).value = { richText: [{ text: 'Pak ', font: { bold: true } }, { text: 'Budi' }] };
    row.getCell(8).value = true;
    row.getCell(9).value = 1e21;
    row.getCell(10).value = 0.0000001;
    row.getCell(11).value = { error: '#N/A' };
    const path = tempPath('typed.xlsx');
    await workbook.xlsx.writeFile(path);

    const { headers, rows } = await readAll(path, 'xlsx');
    expect(headers).toEqual(['Phone', 'Email', 'Born', 'At', 'Total', 'Rich', 'Ok', 'Big', 'Tiny', 'Err']);
    expect(rows).toEqual([
      {
        row: 4,
        values: {
          Phone: '6281234567890',
          Email: 'budi@example.co.id',
          Born: '1990-05-17',
          At: '2024-01-02T13:45:00',
          Total: '3',
          Rich: 'Pak Budi',
          Ok: 'TRUE',
          Big: '1000000000000000000000',
          Tiny: '0.0000001',
          Err: '#N/A',
        },
      },
    ]);
  });

  it('cellToString never uses exponent notation', () => {
    expect(cellToString(6281234567890)).toBe('6281234567890');
    expect(cellToString(6.2812345678901e21)).toBe('6281234567890100000000');
    expect(cellToString(-1.5e-8)).toBe('-0.000000015');
    expect(cellToString(-6.9175)).toBe('-6.9175');
    expect(cellToString(null)).toBe('');
    expect(cellToString({ formula: 'A1', result: { error: '#REF!' } })).toBe('#REF!');
    expect(cellToString({ sharedFormula: 'A1', result: 'x' })).toBe('x');
    expect(cellToString({ text: { richText: [{ text: 'a' }, { text: 'b' }] }, hyperlink: 'http://x' })).toBe('ab');
  });
});
