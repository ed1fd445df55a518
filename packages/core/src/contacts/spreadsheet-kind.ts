/** Telling a spreadsheet upload from anything else by its first bytes. */
import { open } from 'node:fs/promises';
import { KirimError } from '../errors.js';

/** The spreadsheet formats Kirim reads and writes. */
export type SpreadsheetKind = 'xlsx' | 'csv';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
// Legacy .xls (OLE2 compound file): a spreadsheet, but not one we read; users must save as .xlsx.
const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

/** Tells what an uploaded file is from its first 4 KB; anything but a spreadsheet is a `validation` error naming `file`. */
export async function detectSpreadsheetFile(path: string, filename?: string): Promise<SpreadsheetKind> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const kind = detectSpreadsheetKind(buffer.subarray(0, bytesRead), filename);
    if (!kind)
      throw new KirimError('validation', 'The file is not a spreadsheet', {
        details: { file: ['must be an .xlsx or .csv spreadsheet'] },
      });
    return kind;
  } finally {
    await handle.close();
  }
}

/**
 * Tells what a file is from its first bytes (a few KB is plenty): `xlsx` for a zip, `csv` for UTF-8
 * text, `null` for anything else (images, PDFs, legacy .xls, HTML). The content decides; `filename`
 * only breaks the tie for an empty file.
 */
export function detectSpreadsheetKind(firstBytes: Buffer, filename?: string): SpreadsheetKind | null {
  if (firstBytes.length === 0) {
    const extension = filename?.toLowerCase().split('.').pop();
    return extension === 'xlsx' ? 'xlsx' : extension === 'csv' || extension === 'txt' ? 'csv' : null;
  }
  if (firstBytes.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx';
  if (firstBytes.subarray(0, 4).equals(OLE2_MAGIC)) return null;
  return looksLikeText(firstBytes) ? 'csv' : null;
}

function looksLikeText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  // A multi-byte character cut at the end of the sample is not a reason to refuse the file.
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back];
    if ((byte & 0xc0) === 0xc0) {
      end -= back;
      break;
    }
    if ((byte & 0xc0) !== 0x80) break;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
  } catch {
    return false;
  }
  // Control characters other than tab/CR/LF/FF mean binary; a leading `<` means HTML/XML saved as ".xls".
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (/[\u0001-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return false;
  return !/^\uFEFF?\s*</.test(text);
}
