import type { CommandModule } from './command.js';

/** `kirim start`: the reference server, as `npm start` runs it. */
export const command: CommandModule = {
  options: {},
  help: `Runs the Kirim server in the foreground, as \`npm start\` does; Ctrl-C stops it gracefully.
Configured by environment variables only (PORT, DATA_DIR, DATABASE_URL, KIRIM_ADMIN_TOKEN, …: see the README).
Its log is JSON lines already; --json changes nothing.`,

  async run() {
    // main.ts starts the server and owns the process from there: its signals, its exit.
    await import('../main.js');
    return 'running';
  },
};
