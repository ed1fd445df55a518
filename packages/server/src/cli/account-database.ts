import { createKirim, isKirimError, type Kirim } from '@kirim/core';
import { loadConfig } from '../config.js';
import { openStorage } from '../open-storage.js';
import { CliError, kirimFailure } from './command.js';

/** How the account commands' `--help` says where the database is. */
export const DATABASE_HELP = `The database is the server's: DATABASE_URL, otherwise SQLite in DATA_DIR (default ./data).`;

/**
 * Runs `use` with an engine on the server's database, opened directly as the server picks it (and migrated), then
 * closes it: account commands bootstrap access, so they cannot need a token. Kirim's errors become one-line ones.
 */
export async function withDatabase<T>(use: (kirim: Kirim, dialect: string) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    const message = (error as Error).message.replace(/^Invalid configuration:\s*/, '');
    throw new CliError(`invalid configuration: ${message}`, 'correct those environment variables');
  }
  const storage = await openStorage(config).catch((error: Error) => {
    throw new CliError(
      `cannot open the database (${error.message})`,
      config.databaseUrl ? 'check DATABASE_URL' : 'check DATA_DIR',
    );
  });
  try {
    return await use(createKirim({ storage }), storage.dialect);
  } catch (error) {
    throw isKirimError(error) ? kirimFailure(error.code, error.message, error.details) : error;
  } finally {
    await storage.close();
  }
}
