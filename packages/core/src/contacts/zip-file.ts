/**
 * Random access to a zip file on disk, on yauzl: its entries are listed from the central directory at the
 * end of the file, and each is streamed from its own offset, in whatever order the caller needs them. (A
 * streaming unzip reads entries in the order they are stored, which is why ExcelJS's reader buffers the
 * sheets of a LibreOffice workbook in temp files until their shared strings arrive: exceljs#683, exceljs#3064.)
 */
import { once } from 'node:events';
import { Transform, type Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry } from 'yauzl';

/** One file in a zip, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated: the only ones an entry is listed with. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
}

/** An open zip file: its entries by name, each readable as a stream of its uncompressed bytes. */
export interface ZipFile {
  entries: ReadonlyMap<string, ZipEntry>;
  /** The entry's uncompressed bytes; the stream fails with a {@link ZipFormatError} if they are not the length and CRC-32 the directory says. */
  read(entry: ZipEntry): Promise<Readable>;
  /** Closes the file, after destroying any stream still reading it: once it resolves, no descriptor is left open. */
  close(): Promise<void>;
}

/** Thrown for a file that is not a zip, or a zip this reader cannot read (encrypted, split, another compression), and by an entry's stream whose bytes are not what the directory says. */
export class ZipFormatError extends Error {}

const OPEN_OPTIONS: yauzl.Options = { lazyEntries: true, autoClose: false, validateEntrySizes: true };

/** Opens the zip at `path` and reads its central directory; a file that is not a readable zip throws {@link ZipFormatError}. */
export async function openZipFile(path: string): Promise<ZipFile> {
  const zip = await yauzl.openPromise(path, OPEN_OPTIONS).catch(rethrowAsFormatError);
  try {
    return zipFile(zip, await readDirectory(zip).catch(rethrowAsFormatError));
  } catch (error) {
    await closeFile(zip);
    throw error;
  }
}

async function readDirectory(zip: yauzl.ZipFile): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  for await (const entry of zip.eachEntry()) {
    if (entry.isEncrypted()) throw new ZipFormatError(`${entry.fileName} is encrypted`);
    if (!entry.canDecodeFileData())
      throw new ZipFormatError(`${entry.fileName} uses compression method ${entry.compressionMethod}`);
    // The first of a repeated name wins, as in the central directory order every reader walks.
    if (!entries.has(entry.fileName)) entries.set(entry.fileName, entry);
  }
  return entries;
}

function zipFile(zip: yauzl.ZipFile, found: Map<string, Entry>): ZipFile {
  const entries = new Map<string, ZipEntry>();
  for (const [name, entry] of found) {
    const { compressionMethod: method, compressedSize, uncompressedSize, crc32 } = entry;
    entries.set(name, { name, method, compressedSize, uncompressedSize, crc32 });
  }
  const streams = new Set<Readable>();
  let closing: Promise<void> | undefined;
  return {
    entries,
    async read(entry) {
      const source = found.get(entry.name);
      if (!source) throw new ZipFormatError(`${entry.name} is not in the zip`);
      // A deflated empty file is 2 bytes; 0 bytes is an empty file stored by a writer that says deflated,
      // which inflate refuses. (Not `decodeFileData: true` otherwise: yauzl 3.4.0 reads it as "do not inflate".)
      const empty = source.compressedSize === 0 && source.uncompressedSize === 0;
      const raw = await zip
        .openReadStreamPromise(source, empty ? { decodeFileData: false } : {})
        .catch(rethrowAsFormatError);
      if (closing) {
        raw.destroy();
        throw new ZipFormatError('the zip file is closed');
      }
      const output = checkCrc(entry);
      // By hand, not pipeline(): yauzl's errors reach the reader as ZipFormatError, naming the entry.
      raw.on('error', (error) => output.destroy(asFormatError(error, `${entry.name} is corrupt: `)));
      output.once('close', () => {
        raw.destroy();
        streams.delete(output);
      });
      raw.pipe(output);
      streams.add(output);
      return output;
    },
    close() {
      closing ??= (async () => {
        for (const stream of streams) stream.destroy();
        await closeFile(zip);
      })();
      return closing;
    },
  };
}

/**
 * Closes the zip and waits for its descriptor to close: yauzl closes it once the zip and every stream
 * reading it have let go, and the streams let go when destroyed (after a tick, through `output`'s close).
 */
async function closeFile(zip: yauzl.ZipFile): Promise<void> {
  if (!zip.isOpen) return;
  const closed = once(zip, 'close');
  zip.close();
  await closed;
}

/**
 * Passes the entry's bytes on, failing when they end with another CRC-32 than the directory's. yauzl checks
 * sizes (a zip bomb declares small ones) but not CRC-32: a flipped bit in a stored entry, or one a deflate
 * stream survives, keeps the size and changes the text, and an import would store the wrong phone numbers.
 */
function checkCrc(entry: ZipEntry): Transform {
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      crc = crc32(chunk, crc);
      callback(null, chunk);
    },
    flush(callback) {
      callback(crc !== entry.crc32 ? new ZipFormatError(`${entry.name} is corrupt (its CRC-32 is wrong)`) : null);
    },
  });
}

/** yauzl's (and zlib's) errors about the file's contents as {@link ZipFormatError}; the system's (a missing file, a failing disk) as they are. */
function asFormatError(error: unknown, context = ''): Error {
  if (error instanceof ZipFormatError || (error instanceof Error && 'syscall' in error)) return error;
  return new ZipFormatError(`${context}${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

function rethrowAsFormatError(error: unknown): never {
  throw asFormatError(error);
}
