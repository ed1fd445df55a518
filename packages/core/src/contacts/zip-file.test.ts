import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { fixture, useTempFolder } from './test-files.js';
import { openZipFile, ZipFormatError } from './zip-file.js';

const tempPath = useTempFolder('kirim-zip-');

async function contents(path: string): Promise<Map<string, string>> {
  const zip = await openZipFile(path);
  try {
    const found = new Map<string, string>();
    for (const entry of zip.entries.values()) found.set(entry.name, await text(await zip.read(entry)));
    return found;
  } finally {
    await zip.close();
  }
}

describe('openZipFile', () => {
  it('lists the entries of a LibreOffice workbook from its central directory and reads each, its size and CRC-32 checked', async () => {
    const found = await contents(fixture('contacts-second-sheet.xlsx'));
    expect([...found.keys()]).toEqual([
      '_rels/.rels',
      'xl/workbook.xml',
      'xl/styles.xml',
      'xl/worksheets/sheet1.xml',
      'xl/worksheets/sheet2.xml',
      'xl/worksheets/sheet3.xml',
      'xl/_rels/workbook.xml.rels',
      'xl/sharedStrings.xml',
      'docProps/core.xml',
      'docProps/app.xml',
      '[Content_Types].xml',
    ]);
    expect(found.get('xl/sharedStrings.xml')).toContain('Budi Santoso');
  });

  it('reads a zip64 archive with stored and deflated entries (Info-ZIP zip -fz, -n for stored)', async () => {
    const path = fixture('contacts-second-sheet-zip64.xlsx');
    const found = await contents(path);
    expect(found.size).toBe(11);
    expect(found).toEqual(await contents(fixture('contacts-second-sheet.xlsx')));
    const zip = await openZipFile(path);
    const methods = [...zip.entries.values()].map((e) => e.method);
    await zip.close();
    expect(new Set(methods)).toEqual(new Set([0, 8]));
  });

  it('refuses a file that is not a zip, and a truncated zip, with ZipFormatError', async () => {
    const notZip = tempPath('not.zip');
    await writeFile(notZip, 'Nama,No HP\nBudi,0812\n');
    await expect(openZipFile(notZip)).rejects.toBeInstanceOf(ZipFormatError);
    const truncated = tempPath('truncated.zip');
    await writeFile(truncated, (await readFile(fixture('contacts-second-sheet.xlsx'))).subarray(0, 3000));
    await expect(openZipFile(truncated)).rejects.toBeInstanceOf(ZipFormatError);
  });

  it('reads an empty entry that its writer says is deflated but stored as 0 bytes (inflate refuses no bytes)', async () => {
    const name = Buffer.from('xl/empty.xml');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8); // deflated, CRC-32 and both sizes 0
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(name.length, 28); // its local header at offset 0
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(46 + name.length, 12);
    end.writeUInt32LE(30 + name.length, 16);
    const path = tempPath('empty-deflated.zip');
    await writeFile(path, Buffer.concat([local, name, central, name, end]));
    expect(await contents(path)).toEqual(new Map([['xl/empty.xml', '']]));
  });

  /** The fixture's shared strings as read after `edit` changed their central directory entry (its CRC-32 at 16, its size at 24). */
  async function readEdited(edit: (zipBytes: Buffer, entry: number) => void): Promise<string> {
    const zipBytes = await readFile(fixture('contacts-second-sheet.xlsx'));
    // The central directory's copy of the name, 46 bytes after its entry's signature.
    const entry = zipBytes.lastIndexOf('xl/sharedStrings.xml') - 46;
    expect(zipBytes.readUInt32LE(entry)).toBe(0x02014b50);
    edit(zipBytes, entry);
    const path = tempPath('edited.xlsx');
    await writeFile(path, zipBytes);
    const zip = await openZipFile(path);
    try {
      return await text(await zip.read(zip.entries.get('xl/sharedStrings.xml')!));
    } finally {
      await zip.close();
    }
  }

  it('fails the stream of an entry whose data is longer than its directory says (a zip bomb declares small sizes)', async () => {
    const reading = readEdited((zipBytes, entry) => zipBytes.writeUInt32LE(100, entry + 24));
    await expect(reading).rejects.toBeInstanceOf(ZipFormatError);
    await expect(reading).rejects.toThrow(/^xl\/sharedStrings\.xml is corrupt: too many bytes .*expected 100\b/);
  });

  it("fails the stream of an entry whose CRC-32 is not the directory's", async () => {
    const reading = readEdited((zipBytes, entry) =>
      zipBytes.writeUInt32LE((zipBytes.readUInt32LE(entry + 16) ^ 1) >>> 0, entry + 16),
    );
    await expect(reading).rejects.toBeInstanceOf(ZipFormatError);
    await expect(reading).rejects.toThrow('CRC-32');
  });

  it('closes the file with streams given up half-way, which then end without an error', async () => {
    const zip = await openZipFile(fixture('contacts-second-sheet.xlsx'));
    const stream = await zip.read(zip.entries.get('xl/worksheets/sheet1.xml')!);
    const errors: unknown[] = [];
    stream.on('error', (error) => errors.push(error));
    await zip.close();
    expect(stream.destroyed).toBe(true);
    expect(errors).toEqual([]);
  });

  /** The files this process holds open, by path (Linux). */
  async function openFiles(): Promise<string[]> {
    const fds = await readdir('/proc/self/fd');
    return Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  }

  it('leaves no file descriptor open on the zip after close(), with one stream read half-way and one not started', async () => {
    const path = fixture('contacts-second-sheet.xlsx');
    const zip = await openZipFile(path);
    const halfRead = await zip.read(zip.entries.get('xl/worksheets/sheet1.xml')!);
    await new Promise((resolve) => halfRead.once('readable', resolve));
    expect(halfRead.read(100)).toHaveLength(100);
    await zip.read(zip.entries.get('xl/sharedStrings.xml')!);
    expect(await openFiles()).toContain(path);
    await zip.close();
    expect(await openFiles()).not.toContain(path);
  });
});
