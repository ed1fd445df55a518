/** Spreadsheet cells as the text a user sees, and what a spreadsheet did to a phone number it rounded. */
import type { FieldErrors } from '../errors.js';

/**
 * A cell value as the text a user sees: numbers in plain decimal (6281234567890, never 6.28e12), dates
 * as ISO (`2024-05-01`, or a full timestamp when there is a time), rich text joined, hyperlinks as their
 * text, formulas as their result, booleans `TRUE`/`FALSE`, errors as `#N/A` etc., empty as ''.
 */
export function cellToString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberToString(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateToString(value);
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return v.richText.map((run: { text?: unknown }) => cellToString(run.text)).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellToString(v.result);
    if ('hyperlink' in v || 'text' in v) return cellToString(v.text ?? v.hyperlink);
    if ('error' in v) return String(v.error);
  }
  return String(value);
}

function numberToString(n: number): string {
  const text = String(n);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  // Expand the shortest round-trip exponent form by moving the decimal point: no precision is invented.
  const [, sign, lead, fraction = '', exp] = match;
  const digits = lead + fraction;
  const point = 1 + Number(exp);
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function dateToString(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  // ExcelJS gives the wall-clock value as UTC; a spreadsheet time has no zone, so none is written.
  const iso = date.toISOString().slice(0, 19);
  return iso.endsWith('T00:00:00') ? iso.slice(0, 10) : iso;
}

// A number a spreadsheet wrote as it showed it, rounded (Excel's General format for long numbers, `6.28131E+12`).
const ROUNDED_NUMBER = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;

/** The reason given for a phone cell holding a number a spreadsheet rounded to scientific notation: its digits are lost. */
export const ROUNDED_PHONE_REASON =
  'was rounded by the spreadsheet to scientific notation, so its digits are lost: format the column as text and export again';

/** `errors` with the phone's reason replaced by {@link ROUNDED_PHONE_REASON} when `phone` is such text (`6.28131E+12`). */
export function explainRoundedPhone(errors: FieldErrors, phone: unknown): FieldErrors {
  return typeof phone === 'string' && ROUNDED_NUMBER.test(phone.trim())
    ? { ...errors, phone: [ROUNDED_PHONE_REASON] }
    : errors;
}
