import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { packagedBinaries, startEmbeddedPostgres } from './embedded-postgres.js';

describe('startEmbeddedPostgres', () => {
  it(
    'starts from binaries in a folder other users cannot enter (a clone in a 0700 mktemp -d, run as root), pg_trgm included',
    { timeout: 60_000 },
    async () => {
      const clone = await mkdtemp(join(tmpdir(), 'kirim-private-clone-'));
      onTestFinished(() => rm(clone, { recursive: true, force: true }));
      expect((await stat(clone)).mode & 0o777).toBe(0o700);
      const binaries = join(clone, 'native');
      await cp(packagedBinaries(), binaries, { recursive: true, verbatimSymlinks: true });

      const server = await startEmbeddedPostgres(binaries);
      onTestFinished(() => server.stop());
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      onTestFinished(() => client.end());
      // pg_trgm loads a library from lib/ and scripts from share/: the server's user reached the whole install.
      await client.query('CREATE EXTENSION pg_trgm');
      const { rows } = await client.query<{ similarity: number }>(`SELECT similarity('kirim', 'kirim') AS similarity`);
      expect(rows).toEqual([{ similarity: 1 }]);
    },
  );

  it('deletes its files when stopped', { timeout: 60_000 }, async () => {
    const server = await startEmbeddedPostgres();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
    await client.end();
    await server.stop();
    await expect(stat(dirname(rows[0]!.dir))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects with the cause, rather than crashing the run, when the binaries cannot be run', async () => {
    const missing = join(tmpdir(), 'kirim-no-postgres-here');
    await expect(startEmbeddedPostgres(missing)).rejects.toMatchObject({
      code: 'ENOENT',
      message: expect.stringContaining(missing),
    });
  });
});
