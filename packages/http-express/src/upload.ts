import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { KirimError } from '@kirim/core';
import busboy from 'busboy';
import type { Request } from 'express';

/** A file received from a multipart form, spooled to a temporary file so core can stream it. */
export interface ReceivedUpload {
  /** Path of the temporary copy; removed by `cleanup()`. */
  path: string;
  filename: string;
  mimetype: string;
  /** The form's other (text) fields. */
  fields: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * Receives one file field (`field`, default `file`) of a `multipart/form-data` request, at most
 * `maxBytes` (413 past it). Spooling to disk keeps memory flat however large the spreadsheet is.
 */
export async function receiveUpload(
  req: Request,
  options: { field?: string; maxBytes: number },
): Promise<ReceivedUpload> {
  const field = options.field ?? 'file';
  if (!req.is('multipart/form-data')) {
    throw new KirimError('validation', `Send the file as multipart/form-data in the "${field}" field`, {
      details: { [field]: ['is required (multipart/form-data)'] },
    });
  }
  const parser = multipartParser(req, field, options.maxBytes);
  const dir = await mkdtemp(join(tmpdir(), 'kirim-upload-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const received = await new Promise<ReceivedUpload>((resolve, reject) => {
      const fields: Record<string, string> = {};
      let file: Promise<{ filename: string; mimetype: string; truncated: boolean }> | undefined;
      parser.on('file', (name, stream, info) => {
        if (name !== field || file) {
          stream.resume();
          return;
        }
        file = pipeline(stream, createWriteStream(join(dir, 'upload'))).then(() => ({
          filename: info.filename ?? 'upload',
          mimetype: info.mimeType,
          truncated: (stream as { truncated?: boolean }).truncated === true,
        }));
      });
      parser.on('field', (name, value) => {
        fields[name] = value;
      });
      parser.on('error', (error) =>
        reject(new KirimError('bad_request', 'Malformed multipart body', { cause: error })),
      );
      parser.on('close', () => {
        if (!file) {
          reject(
            new KirimError('validation', `No file in the "${field}" field`, { details: { [field]: ['is required'] } }),
          );
          return;
        }
        file.then((info) => {
          if (info.truncated)
            reject(new KirimError('payload_too_large', `The file is larger than ${options.maxBytes} bytes`));
          else
            resolve({ path: join(dir, 'upload'), filename: info.filename, mimetype: info.mimetype, fields, cleanup });
        }, reject);
      });
      req.pipe(parser);
    });
    return received;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

// busboy throws at once, not through 'error', when the Content-Type has no boundary.
function multipartParser(req: Request, field: string, maxBytes: number): busboy.Busboy {
  try {
    return busboy({ headers: req.headers, limits: { fileSize: maxBytes, files: 1, fields: 50 } });
  } catch (error) {
    throw new KirimError(
      'validation',
      `Send the file as multipart/form-data, with a boundary, in the "${field}" field`,
      {
        details: { [field]: [`must be sent as multipart/form-data with a boundary (${(error as Error).message})`] },
        cause: error,
      },
    );
  }
}
