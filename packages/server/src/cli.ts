import { parseArgs } from 'node:util';
import { createKirim, isKirimError } from '@kirim/core';
import { loadConfig } from './config.js';
import { openStorage } from './open-storage.js';

const USAGE = `Usage: kirim <command> [options]

Commands:
  migrate                                   bring the database schema up to date
  user create --name N --email E [--role user|admin] [--plan free|supporter] [--plan-expires-at ISO]
  token create --email E [--name N] [--expires-in-days D]   prints a new API token once

The database is chosen as by the server: DATABASE_URL, otherwise SQLite in DATA_DIR.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    plan: { type: 'string' },
    'plan-expires-at': { type: 'string' },
    'expires-in-days': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

async function run(): Promise<number> {
  const command = positionals.join(' ');
  if (values.help || !['migrate', 'user create', 'token create'].includes(command)) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const storage = await openStorage(loadConfig());
  try {
    const kirim = createKirim({ storage });
    if (command === 'migrate') {
      process.stdout.write(`Database is up to date (${storage.dialect}).\n`);
    } else if (command === 'user create') {
      const user = await kirim.accounts.createUserUnchecked({
        name: values.name ?? '',
        email: values.email ?? '',
        role: values.role as 'user' | 'admin' | undefined,
        plan: values.plan as 'free' | 'supporter' | undefined,
        plan_expires_at: values['plan-expires-at'],
      });
      process.stdout.write(`${JSON.stringify(user, null, 2)}\n`);
    } else {
      const user = await kirim.accounts.findUserByEmail(values.email ?? '');
      if (!user) throw new Error(`No user with email ${values.email ?? '(none given)'}`);
      const days = values['expires-in-days'] ? Number(values['expires-in-days']) : undefined;
      const token = await kirim.accounts.issueTokenFor(user.id, values.name ?? 'cli', days);
      process.stdout.write(`${token.token}\n`);
    }
    return 0;
  } finally {
    await storage.close();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const details = isKirimError(error) && error.details ? `\n${JSON.stringify(error.details, null, 2)}` : '';
    process.stderr.write(`kirim: ${(error as Error).message}${details}\n`);
    process.exit(1);
  },
);
