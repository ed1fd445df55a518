import type { CommandModule } from './command.js';
import { DATABASE_HELP, withDatabase } from './account-database.js';

/** `kirim migrate`: brings the database schema up to date. */
export const command: CommandModule = {
  options: {},
  help: `Brings the database schema up to date (the server also does it at start).
${DATABASE_HELP}
  --json  {"dialect", "up_to_date": true}`,

  run: () =>
    withDatabase(async (_kirim, dialect) => ({
      data: { dialect, up_to_date: true },
      text: `Database is up to date (${dialect}).`,
    })),
};
