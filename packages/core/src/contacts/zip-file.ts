/**
 * Random access to a zip file on disk: its entries are listed from the central directory at the end of the
 * file, and each is streamed from its own offset, in whatever order the caller needs them. (A streaming
 * unzip reads entries in the order they are stored, which is why ExcelJS's reader buffers the sheets of a
 * LibreOffice workbook in temp files until their shared strings arrive: exceljs#683, exceljs#3064.)
 */
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, Readable, Transform } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';

/** One file in a zip, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated; anything else cannot be read. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  /** Offset of the entry's local header in the zip file. */
  headerOffset: number;
}

/** An open zip file: its entries by name, each readable as a stream of its uncompressed bytes. */
export interface ZipFile {
  entries: ReadonlyMap<string, ZipEntry>;
  /** The entry's uncompressed bytes; the stream fails if they are not the length and CRC-32 the directory says. */
  read(entry: ZipEntry): Promise<Readable>;
  /** Closes the file (after destroying any stream still reading it). */
  close(): Promise<void>;
}

/** Thrown for a file that is not a zip, or a zip this reader cannot read (encrypted, split, another compression). */
export class ZipFormatError extends Error {}

const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const ZIP64_EXTRA = 0x0001;
// The end record is 22 bytes plus a comment of at most 65,535; the zip64 locator sits just before it.
const MAX_TAIL = 22 + 0xffff + 20;

/** Opens the zip at `path` and reads its central directory; a file that is not a readable zip throws {@link ZipFormatError}. */
export async function openZipFile(path: string): Promise<ZipFile> {
  const handle = await open(path, 'r');
  try {
    const entries = await readDirectory(handle);
    return zipFile(handle, entries);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function zipFile(handle: FileHandle, entries: Map<string, ZipEntry>): ZipFile {
  const streams = new Set<Readable>();
  return {
    entries,
    async read(entry) {
      const header = await readAt(handle, entry.headerOffset, 30);
      if (header.readUInt32LE(0) !== LOCAL_HEADER) throw new ZipFormatError(`${entry.name} has no local header`);
      // The local header's name and extra field may differ in length from the directory's copy.
      const start = entry.headerOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      const raw = Readable.from(readRange(handle, start, entry.compressedSize), { objectMode: false });
      const output = checkEntry(entry);
      // A deflated empty file is 2 bytes; 0 bytes is an empty file stored by a writer that says deflated.
      const inflate = entry.method === 8 && entry.compressedSize > 0 ? [createInflateRaw()] : [];
      pipeline([raw, ...inflate, output], () => {});
      streams.add(output);
      output.once('close', () => streams.delete(output));
      return output;
    },
    async close() {
      for (const stream of streams) stream.destroy();
      await handle.close();
    },
  };
}

/**
 * The bytes from `start`, read by position from the shared handle as they are pulled: a stream given up
 * half-way holds no file descriptor of its own, and none is opened or closed behind the caller's back.
 */
async function* readRange(handle: FileHandle, start: number, length: number): AsyncGenerator<Buffer> {
  for (let at = start, end = start + length; at < end; at += RANGE_CHUNK) yield await readAt(handle, at, Math.min(RANGE_CHUNK, end - at));
}

const RANGE_CHUNK = 64 * 1024;

/** Passes the entry's bytes on, failing when they outgrow its size (a zip bomb declares small ones) or end with another size or CRC-32 (a corrupt file). */
function checkEntry(entry: ZipEntry): Transform {
  let length = 0;
  let crc = 0;
  const wrongSize = () => new ZipFormatError(`${entry.name} is not the ${entry.uncompressedSize} bytes the zip's directory says`);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      length += chunk.length;
      crc = crc32(chunk, crc);
      callback(length > entry.uncompressedSize ? wrongSize() : null, chunk);
    },
    flush(callback) {
      if (length !== entry.uncompressedSize) return callback(wrongSize());
      callback(crc !== entry.crc32 ? new ZipFormatError(`${entry.name} is corrupt (its CRC-32 is wrong)`) : null);
    },
  });
}

async function readDirectory(handle: FileHandle): Promise<Map<string, ZipEntry>> {
  const { size } = await handle.stat();
  const tailStart = Math.max(0, size - MAX_TAIL);
  const tail = await readAt(handle, tailStart, size - tailStart);
  const end = findEndRecord(tail);
  if (end === -1) throw new ZipFormatError('no end of central directory');
  if (tail.readUInt16LE(end + 4) !== 0 || tail.readUInt16LE(end + 6) !== 0) throw new ZipFormatError('a zip split over several disks');
  let count = tail.readUInt16LE(end + 10);
  let directorySize = tail.readUInt32LE(end + 12);
  let directoryOffset = tail.readUInt32LE(end + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    if (end < 20 || tail.readUInt32LE(end - 20) !== ZIP64_END_LOCATOR) throw new ZipFormatError('no zip64 end locator');
    const record = await readAt(handle, safeNumber(tail.readBigUInt64LE(end - 20 + 8)), 56);
    if (record.readUInt32LE(0) !== ZIP64_END_OF_DIRECTORY) throw new ZipFormatError('no zip64 end of central directory');
    count = safeNumber(record.readBigUInt64LE(32));
    directorySize = safeNumber(record.readBigUInt64LE(40));
    directoryOffset = safeNumber(record.readBigUInt64LE(48));
  }
  if (directoryOffset + directorySize > size) throw new ZipFormatError('a central directory past the end of the file');
  const directory = await readAt(handle, directoryOffset, directorySize);

  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== DIRECTORY_ENTRY) throw new ZipFormatError('a broken central directory');
    const flags = directory.readUInt16LE(at + 8);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > directory.length) throw new ZipFormatError('a broken central directory');
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    if (flags & 0x1) throw new ZipFormatError(`${name} is encrypted`);
    const entry: ZipEntry = {
      name,
      method: directory.readUInt16LE(at + 10),
      compressedSize: directory.readUInt32LE(at + 20),
      uncompressedSize: directory.readUInt32LE(at + 24),
      crc32: directory.readUInt32LE(at + 16),
      headerOffset: directory.readUInt32LE(at + 42),
    };
    readZip64Extra(entry, directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    if (entry.method !== 0 && entry.method !== 8) throw new ZipFormatError(`${name} uses compression method ${entry.method}`);
    if (entry.headerOffset + 30 + entry.compressedSize > size) throw new ZipFormatError(`${name} runs past the end of the file`);
    // The first of a repeated name wins, as in the central directory order every reader walks.
    if (!entries.has(name)) entries.set(name, entry);
    at = next;
  }
  return entries;
}

/** Index of the end-of-central-directory record in `tail`, searched from the end (a comment may hold its signature). */
function findEndRecord(tail: Buffer): number {
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tail.readUInt32LE(at) === END_OF_DIRECTORY && at + 22 + tail.readUInt16LE(at + 20) === tail.length) return at;
  }
  return -1;
}

/** Zip64 keeps the 64-bit sizes and offset in an extra field, for each 32-bit field set to 0xffffffff, in this order. */
function readZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
    if (extra.readUInt16LE(at) !== ZIP64_EXTRA) continue;
    let field = at + 4;
    const end = Math.min(extra.length, field + extra.readUInt16LE(at + 2));
    for (const key of ['uncompressedSize', 'compressedSize', 'headerOffset'] as const) {
      if (entry[key] !== 0xffffffff) continue;
      if (field + 8 > end) throw new ZipFormatError(`${entry.name} has a short zip64 field`);
      entry[key] = safeNumber(extra.readBigUInt64LE(field));
      field += 8;
    }
    return;
  }
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('an offset beyond any file');
  return Number(value);
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new ZipFormatError('the file ends early');
  return buffer;
}
