import { parseArgs } from 'node:util';
import { CliError, usageError, type CommandContext, type CommandModule } from './cli/command.js';

/** One command of the table: its words, what follows them, a line saying what it does, and its module. */
interface CommandEntry {
  name: string;
  synopsis: string;
  summary: string;
  section: keyof typeof SECTIONS;
  /** Loaded only when run: `kirim sessions` never loads the database drivers. */
  load(): Promise<CommandModule>;
}

const SECTIONS = {
  run: 'Run',
  whatsapp: 'WhatsApp, through the running server (KIRIM_URL, default http://localhost:8000; KIRIM_TOKEN or --token)',
  accounts: 'Accounts, in the database directly as the server opens it (DATABASE_URL, otherwise DATA_DIR)',
};

const COMMANDS: CommandEntry[] = [
  {
    name: 'start',
    synopsis: '',
    summary: 'run the server in the foreground, as `npm start` does',
    section: 'run',
    load: async () => (await import('./cli/start.js')).command,
  },
  {
    name: 'sessions',
    synopsis: '',
    summary: 'list your sessions with their status and phone',
    section: 'whatsapp',
    load: async () => (await import('./cli/sessions.js')).command,
  },
  {
    name: 'link',
    synopsis: 'NAME [--pairing-code PHONE]',
    summary: 'create a session, draw its QR code and wait until the phone links it',
    section: 'whatsapp',
    load: async () => (await import('./cli/link.js')).command,
  },
  {
    name: 'send',
    synopsis: '--session ID --to NUMBER "TEXT"',
    summary: 'send a text message',
    section: 'whatsapp',
    load: async () => (await import('./cli/send.js')).command,
  },
  {
    name: 'import',
    synopsis: 'FILE [--skip-duplicates] [--set-active]',
    summary: 'import contacts from an .xlsx or .csv file',
    section: 'whatsapp',
    load: async () => (await import('./cli/import.js')).command,
  },
  {
    name: 'user create',
    synopsis: '--name N --email E [--role user|admin] [--plan free|supporter] [--plan-expires-at DATE]',
    summary: 'add a user',
    section: 'accounts',
    load: async () => (await import('./cli/user.js')).create,
  },
  {
    name: 'user list',
    synopsis: '',
    summary: 'list every user',
    section: 'accounts',
    load: async () => (await import('./cli/user.js')).list,
  },
  {
    name: 'token create',
    synopsis: '--email E [--name N] [--expires-in-days D]',
    summary: 'make an API token for a user and print it, once',
    section: 'accounts',
    load: async () => (await import('./cli/token.js')).create,
  },
  {
    name: 'token list',
    synopsis: '--email E',
    summary: "list a user's tokens, masked",
    section: 'accounts',
    load: async () => (await import('./cli/token.js')).list,
  },
  {
    name: 'token revoke',
    synopsis: '--email E --id ID',
    summary: 'revoke a token',
    section: 'accounts',
    load: async () => (await import('./cli/token.js')).revoke,
  },
  {
    name: 'migrate',
    synopsis: '',
    summary: 'bring the database schema up to date',
    section: 'accounts',
    load: async () => (await import('./cli/migrate.js')).command,
  },
];

const usageLine = (entry: CommandEntry) => `kirim ${entry.name}${entry.synopsis ? ` ${entry.synopsis}` : ''}`;

/** `kirim --help`, or the commands under a word (`kirim token`). */
function overview(entries: CommandEntry[]): string {
  const sections = Object.entries(SECTIONS).flatMap(([key, title]) => {
    const listed = entries.filter((entry) => entry.section === key);
    if (listed.length === 0) return [];
    return [`${title}:`, ...listed.map((entry) => `  ${usageLine(entry)}\n      ${entry.summary}`), ''];
  });
  return `Usage: kirim <command> [options]

${sections.join('\n')}
Every command takes --json (its answer as JSON lines, for scripts) and --help (all its options).
Exit status: 0 done, 1 failed, 2 used wrongly.
`;
}

/** Runs the command `argv` names; resolves with the exit status, or `running` while a started server runs. */
async function main(argv: string[]): Promise<number | 'running'> {
  const [first = '', second = ''] = argv;
  // Asked for, the overview is the answer (stdout); for a bare `kirim` it explains a usage error (stderr).
  if (['', '--help', '-h', 'help'].includes(first)) {
    (first ? process.stdout : process.stderr).write(overview(COMMANDS));
    return first ? 0 : 2;
  }
  const entry = COMMANDS.find((c) => c.name === `${first} ${second}`) ?? COMMANDS.find((c) => c.name === first);
  if (!entry) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
    if (group.length > 0 && ['', '--help', '-h'].includes(second)) {
      (second ? process.stdout : process.stderr).write(overview(group));
      return second ? 0 : 2;
    }
    const names = group.length > 0 ? group.map((c) => c.name.split(' ')[1]).join(', ') : '';
    return fail(
      group.length > 0
        ? usageError(`unknown command "${first} ${second}"; ${first} takes ${names}`)
        : usageError(`unknown command "${first}"`),
      '`kirim --help` lists every command',
    );
  }

  const command = await entry.load();
  const help = `see \`kirim ${entry.name} --help\``;
  try {
    const { values, positionals } = readArgs(command, argv.slice(entry.name.split(' ').length));
    if (values.help) {
      process.stdout.write(`Usage: ${usageLine(entry)} [--json]\n\n${command.help}\n`);
      return 0;
    }
    const json = values.json === true;
    const context: CommandContext = {
      values,
      positionals,
      json,
      stdout: process.stdout,
      stderr: process.stderr,
      emit: (data, text) => {
        if (json) process.stdout.write(`${JSON.stringify(data)}\n`);
        else if (text) process.stdout.write(`${text}\n`);
      },
    };
    const result = await command.run(context);
    if (result === 'running') return result;
    context.emit(result.data, result.text);
    return 0;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return fail(error, (error.code && command.fixes?.[error.code]) ?? error.fix ?? help);
  }
}

/** The command's options and arguments, parsed strictly: anything it does not take is a usage error. */
function readArgs(command: CommandModule, args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    // Node's messages go on about '--' after the first sentence; the first says what is wrong.
    throw usageError((error as Error).message.split(/\.\s/)[0].replace(/\.$/, ''));
  }
  if (!command.takesArguments && parsed.positionals.length > 0 && !parsed.values.help)
    throw usageError(`unexpected argument "${parsed.positionals[0]}"`);
  return parsed;
}

/** Prints the one line of a failure, what is wrong and the fix, and answers its exit status. */
function fail(error: CliError, fix: string): number {
  process.stderr.write(`kirim: ${oneLine(error.message)}: ${fix}\n`);
  return error.exitCode;
}

// A driver's or the configuration's message may run over several lines; scripts and people read one.
const oneLine = (message: string) => message.replace(/\s*\n\s*/g, '; ');

/** Ends the process once what it printed has been written (a pipe may still hold it). */
const exit = (code: number) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 'running') exit(code);
  },
  (error: unknown) => {
    // Not foreseen, so no fix to offer: the message on one line, and where to look.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`kirim: ${oneLine(message)}: this looks like a bug, please report it\n`);
    exit(1);
  },
);
