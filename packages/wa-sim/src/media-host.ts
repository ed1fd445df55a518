import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BinaryNode } from 'baileys';

/** A file on the media host: encrypted bytes (ciphertext and MAC) as an upload left them. */
export interface HostedMedia {
  /** The upload path's media type (`image`, `video`, `audio`, `document`, `md-msg-hist`...). */
  type: string;
  /** Where it is served, as WhatsApp answers an upload: `/v/t62.7118-24/<name>.enc?ccb=11-4&oh=...`. */
  directPath: string;
  /** `https://<host><directPath>`, as WhatsApp answers an upload. */
  url: string;
  data: Buffer;
  /** Base64 of the SHA-256 of `data`: the name the uploader gave it. */
  encSha256: string;
  /** Expired files answer 404, as WhatsApp's hosts do once a file is gone. */
  expired: boolean;
}

// WhatsApp serves each kind of media under its own path prefix.
const PATH_PREFIX: Record<string, string> = {
  image: '/v/t62.7118-24',
  video: '/v/t62.7161-24',
  audio: '/v/t62.7114-24',
  document: '/v/t62.7119-24',
};

const base64Url = (bytes: Buffer) => bytes.toString('base64url');

/**
 * WhatsApp's media hosts (`mmg.whatsapp.net`), served as plain HTTP on 127.0.0.1: the `media_conn` answer
 * (hosts and upload auth), encrypted uploads (`POST /mms/{type}/{encSha256}?auth=&token=`, answered with
 * `{url, direct_path}`), downloads by direct path, and expiry for tests. The URLs it hands out say
 * `https://127.0.0.1:<port>`, as Baileys builds them: a client reaches it by sending its media requests
 * to {@link MediaHost.url} (Kirim's `KIRIM_WA_MEDIA_URL`).
 */
export class MediaHost {
  /** Every file uploaded or put, oldest first. */
  readonly uploads: HostedMedia[] = [];
  /** The upload auth token `media_conn` hands out. */
  readonly auth = base64Url(randomBytes(24));
  private readonly byPath = new Map<string, HostedMedia>();
  private readonly server = createServer((request, response) => void this.serve(request, response));
  private port = 0;
  private downloading = 0;

  /** Downloads being answered now: a client that stops reading and does not let go keeps one open. */
  get downloadsInFlight(): number {
    return this.downloading;
  }

  /** `http://127.0.0.1:<port>`: where a client sends media uploads and downloads. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The host name `media_conn` announces and URLs carry (`127.0.0.1:<port>`). */
  get hostname(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts listening on a free port of 127.0.0.1. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The `media_conn` element answering Baileys' `w:m` query: this host and the upload auth. */
  mediaConn(): BinaryNode {
    return {
      tag: 'media_conn',
      attrs: { auth: this.auth, ttl: '21600', auth_ttl: '21600', max_buckets: '12' },
      content: [{ tag: 'host', attrs: { hostname: this.hostname, maxContentLengthBytes: '104857600' } }],
    };
  }

  /** Keeps encrypted bytes under a new direct path, as an upload does (a phone's own uploads come here). */
  put(type: string, data: Buffer): HostedMedia {
    const name = base64Url(randomBytes(18)).replace(/[-_]/g, 'x');
    const directPath = `${PATH_PREFIX[type] ?? '/v/t62.7119-24'}/${name}.enc?ccb=11-4&oh=01_${base64Url(randomBytes(12))}&oe=${Date.now().toString(16).toUpperCase()}&_nc_sid=5e03e0`;
    const hosted: HostedMedia = {
      type,
      directPath,
      url: `https://${this.hostname}${directPath}&mms3=true`,
      data,
      encSha256: createHash('sha256').update(data).digest('base64'),
      expired: false,
    };
    this.uploads.push(hosted);
    this.byPath.set(pathOf(directPath), hosted);
    return hosted;
  }

  /** The file a URL or direct path names, expired or not. */
  find(urlOrDirectPath: string): HostedMedia | undefined {
    return this.byPath.get(pathOf(urlOrDirectPath));
  }

  /** Expires a file: from now on it answers 404, until someone uploads it again (a new direct path). */
  expire(urlOrDirectPath: string): void {
    const hosted = this.find(urlOrDirectPath);
    if (!hosted) throw new Error(`no media at ${urlOrDirectPath}`);
    hosted.expired = true;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://media.invalid');
    if (request.method === 'POST' && url.pathname.startsWith('/mms/')) return this.upload(request, response, url);
    const hosted = request.method === 'GET' ? this.find(url.pathname) : undefined;
    if (!hosted || hosted.expired) {
      request.resume();
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
      return;
    }
    this.downloading++;
    response.once('close', () => this.downloading--);
    response
      .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': hosted.data.length })
      .end(hosted.data);
  }

  private async upload(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const data = Buffer.concat(chunks);
    const [, , type, token] = url.pathname.split('/');
    const answer = (status: number, body: object): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (url.searchParams.get('auth') !== this.auth) return answer(401, { code: 401, message: 'bad auth' });
    // The name is the SHA-256 of the encrypted bytes (base64url, no padding): WhatsApp refuses a mismatch.
    if (!type || token !== createHash('sha256').update(data).digest('base64url'))
      return answer(400, { code: 400, message: 'hash mismatch' });
    const hosted = this.put(type, data);
    answer(200, { url: hosted.url, direct_path: hosted.directPath });
  }
}

/** A URL's or direct path's path, without host or query: what names a file. */
function pathOf(urlOrDirectPath: string): string {
  return new URL(urlOrDirectPath, 'http://media.invalid').pathname;
}
