import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, HostResolver, Logger, Transport } from '@kirim/core';
import { loadConfig, startServer, type RunningServer } from '@kirim/server';
import { freshPostgresUrl } from './postgres.js';

/** The databases every HTTP test runs on. */
export const DATABASES = ['sqlite', 'postgres'] as const;
export type TestDatabase = (typeof DATABASES)[number];

/** A reference server on a real port and a real database, with its admin's token and a small client. */
export interface TestServer {
  url: string;
  server: RunningServer;
  adminToken: string;
  /** Sends a request; `token: null` sends none. JSON bodies are encoded, other bodies sent as given. */
  request(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<TestResponse>;
  /** Creates a user through the admin route and returns it with a fresh token of its own. */
  createUser(fields?: Record<string, unknown>): Promise<{ id: string; token: string; email: string }>;
  /** Stops the server and starts a new one on the same database and data directory (a process restart). */
  restart(options?: { transport?: Transport }): Promise<void>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** The public address {@link offlineResolver} answers for a name it does not know (example.com's). */
export const RESOLVED_PUBLIC_ADDRESS = '93.184.215.14';

/**
 * The DNS every test server gets unless the test brings its own: no test waits on a real resolver (there may be
 * no network). `localhost` is loopback, a name under `.invalid` does not exist (RFC 6761), any other name
 * answers {@link RESOLVED_PUBLIC_ADDRESS}.
 */
export const offlineResolver: HostResolver = async (hostname) => {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return [{ address: '127.0.0.1', family: 4 }];
  if (name === 'invalid' || name.endsWith('.invalid'))
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return [{ address: RESOLVED_PUBLIC_ADDRESS, family: 4 }];
};

/**
 * Starts the reference server on `database` with the given extra environment (and, optionally, a WhatsApp
 * transport, a logger, and a DNS resolver of the test's instead of {@link offlineResolver}).
 */
export async function startTestServer(
  database: TestDatabase,
  env: Record<string, string> = {},
  options: { transport?: Transport; logger?: Logger; resolveHost?: HostResolver; clock?: Clock } = {},
): Promise<TestServer> {
  const resolveHost = options.resolveHost ?? offlineResolver;
  const dataDir = await mkdtemp(join(tmpdir(), 'kirim-http-'));
  const adminToken = `kirim_${randomBytes(32).toString('base64url')}`;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    KIRIM_ADMIN_TOKEN: adminToken,
    ...(database === 'postgres' ? { DATABASE_URL: await freshPostgresUrl() } : {}),
    ...env,
  });
  let server = await startServer(config, { ...options, resolveHost });

  const request: TestServer['request'] = async (method, path, options = {}) => {
    const token = options.token === undefined ? adminToken : options.token;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: RequestInit['body'];
    if (options.body instanceof FormData || typeof options.body === 'string' || options.body instanceof Uint8Array) {
      body = options.body as RequestInit['body'];
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    // fetch refuses a body on GET, which the original document sends on some routes: use node:http then.
    const response =
      (method === 'GET' || method === 'HEAD') && body !== undefined
        ? await requestWithBody(server.url + path, method, headers, String(body))
        : await fetch(server.url + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json')) parsed = text ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, body: parsed };
  };

  const test: TestServer = {
    url: server.url,
    server,
    adminToken,
    request,
    async createUser(fields = {}) {
      const email = `${randomBytes(6).toString('hex')}@example.com`;
      const created = await request('POST', '/api/admin/users', { body: { name: 'Test User', email, ...fields } });
      if (created.status !== 201) throw new Error(`user not created: ${JSON.stringify(created.body)}`);
      const token = await server.kirim.accounts.issueTokenFor(created.body.data.id, 'test');
      return { id: created.body.data.id, token: token.token, email };
    },
    async restart(restartOptions = {}) {
      await server.close();
      server = await startServer(config, {
        ...options,
        transport: restartOptions.transport ?? options.transport,
        resolveHost,
      });
      test.server = server;
      test.url = server.url;
    },
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return test;
}

function requestWithBody(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve(
            new Response(Buffer.concat(chunks), {
              status: res.statusCode,
              headers: res.headers as Record<string, string>,
            }),
          ),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
