import type { KirimEvent } from '@kirim/core';
import { CliError, kirimFailure, usageError, type OptionSpecs, type OptionValues } from './command.js';

/** The options of every command that talks to a running server. */
export const CONNECTION_OPTIONS: OptionSpecs = {
  url: { type: 'string' },
  token: { type: 'string' },
};

/** How the connection options read in a command's `--help`. */
export const CONNECTION_HELP = `  --url URL      the server (default KIRIM_URL, else http://localhost:$PORT, PORT defaulting to 8000)
  --token TOKEN  an API token (default KIRIM_TOKEN); prefer KIRIM_TOKEN: --token shows in ps and shell history`;

/** A success answer of the API: its HTTP status, `data` and `message`. */
export interface Answer<T> {
  status: number;
  data: T;
  message: string;
}

/** A small client of a running Kirim server's HTTP API; every failure is a {@link CliError} saying what to do. */
export interface KirimClient {
  /** The server's base URL, `http://host:port`. */
  readonly url: string;
  /** `method /api{path}` with a JSON body. */
  call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>>;
  /** POSTs a multipart form to `/api{path}`, reporting the fraction uploaded as it goes. */
  upload<T>(path: string, form: FormData, onProgress?: (fraction: number) => void): Promise<Answer<T>>;
  /**
   * Opens `GET /api/events` (resolves once it is open) and yields the caller's events until `signal` aborts or the
   * stream ends; a stream that breaks ends as one closed does (the server went away either way).
   */
  events(signal: AbortSignal): Promise<AsyncIterable<KirimEvent>>;
}

const UPLOAD_CHUNK = 64 * 1024;

/** The client for `--url`/`KIRIM_URL` and `--token`/`KIRIM_TOKEN`; no token is a usage error. */
export function connectToKirim(values: OptionValues, env: NodeJS.ProcessEnv = process.env): KirimClient {
  // Forgiving about a trailing slash or /api: people paste the API's address.
  const url = (stringOf(values.url) ?? env.KIRIM_URL ?? `http://localhost:${env.PORT || 8000}`)
    .replace(/\/+$/, '')
    .replace(/\/api$/, '');
  const token = stringOf(values.token) ?? env.KIRIM_TOKEN;
  if (!token)
    throw new CliError(
      'no API token',
      'set KIRIM_TOKEN or pass --token (`kirim token create --email you@example.com` makes one)',
      2,
    );
  if (!/^https?:\/\/[^\s/]+$/.test(url))
    throw usageError(`KIRIM_URL (or --url) must be the server's http:// or https:// address, not ${url}`);

  async function send<T>(method: string, path: string, init: RequestInit): Promise<Answer<T>> {
    const response = await reach(`${url}/api${path}`, {
      ...init,
      method,
      headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...init.headers },
    });
    const body = (await response.json().catch(() => undefined)) as Envelope<T> | undefined;
    if (response.ok && body?.success) return { status: response.status, data: body.data, message: body.message ?? '' };
    throw failureOf(response, body);
  }

  async function reach(target: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(target, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message;
      throw new CliError(
        `cannot reach Kirim at ${url}${reason ? ` (${reason})` : ''}`,
        'is it running? start it with `kirim start`, or set KIRIM_URL',
      );
    }
  }

  function failureOf(response: Response, body: Envelope<unknown> | undefined): CliError {
    if (response.status === 401)
      return kirimFailure('unauthorized', `Kirim at ${url} refused the token (${body?.message ?? 'Unauthorized'})`);
    if (!body || typeof body.message !== 'string')
      return new CliError(
        `${url} answered ${response.status} ${response.statusText} but not as Kirim does`,
        'is KIRIM_URL the address of a Kirim server?',
      );
    return kirimFailure(body.code ?? 'internal', body.message, body.errors);
  }

  return {
    url,
    call: (method, path, body) =>
      send(method, path, {
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      }),

    async upload(path, form, onProgress) {
      // Encoded whole first so the bar knows the total; contact files are small enough to hold.
      const encoded = new Response(form);
      const bytes = new Uint8Array(await encoded.arrayBuffer());
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= bytes.length) return controller.close();
          const chunk = bytes.subarray(sent, sent + UPLOAD_CHUNK);
          sent += chunk.length;
          controller.enqueue(chunk);
          onProgress?.(sent / bytes.length);
        },
      });
      return send('POST', path, {
        body,
        headers: { 'content-type': encoded.headers.get('content-type')!, 'content-length': String(bytes.length) },
        duplex: 'half',
      } as RequestInit);
    },

    async events(signal) {
      const response = await reach(`${url}/api/events`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
        signal,
      });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => undefined)) as Envelope<unknown> | undefined;
        throw failureOf(response, body);
      }
      return readEvents(response.body);
    },
  };
}

interface Envelope<T> {
  success?: boolean;
  data: T;
  message?: string;
  code?: string;
  errors?: Record<string, string[]>;
}

const stringOf = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);

/** The events of a server-sent event stream (`data:` lines are one event's JSON), until it ends or breaks. */
async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<KirimEvent> {
  let buffer = '';
  try {
    for await (const text of body.pipeThrough(new TextDecoderStream())) {
      buffer += text;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, ''))
          .join('\n');
        buffer = buffer.slice(end + 2);
        if (data) yield JSON.parse(data) as KirimEvent;
      }
    }
  } catch {
    // Aborted by the caller, or the connection dropped: the caller knows which, and what it was waiting for.
  }
}
