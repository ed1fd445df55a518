import type { Kirim } from '@kirim/core';
import { DATABASE_HELP, withDatabase } from './account-database.js';
import { CliError, usageError, type CommandModule, type OptionValues } from './command.js';
import { textTable } from './text-table.js';

/** `kirim token create`: a new API token for a user, printed once. */
export const create: CommandModule = {
  options: { email: { type: 'string' }, name: { type: 'string' }, 'expires-in-days': { type: 'string' } },
  help: `Makes a new API token for the user with this email and prints it, once: it is stored only as a hash.
  --email E              the user (\`kirim user list\` lists them)
  --name N               what the token is for, default cli
  --expires-in-days D    default never
${DATABASE_HELP}
  --json                 the token with its id (the plaintext in "token")`,

  run: ({ values }) =>
    withDatabase(async (kirim) => {
      const token = await kirim.accounts.generateToken(await actorByEmail(kirim, values), {
        name: (values.name as string | undefined) ?? 'cli',
        expires_in_days: values['expires-in-days'] as string | undefined,
      });
      return { data: token, text: token.token };
    }),
};

/** `kirim token list`: a user's tokens, masked. */
export const list: CommandModule = {
  options: { email: { type: 'string' } },
  help: `Lists the API tokens of the user with this email: id, name, the token's first characters, dates.
  --email E  the user
${DATABASE_HELP}
  --json     the tokens`,

  run: ({ values }) =>
    withDatabase(async (kirim) => {
      const tokens = await kirim.accounts.listTokens(await actorByEmail(kirim, values));
      if (tokens.length === 0) return { data: tokens, text: 'No tokens: make one with `kirim token create`.' };
      const rows = tokens.map((t) => [t.id, t.name, t.token, t.created_at, t.expired_at, t.last_used_at]);
      return { data: tokens, text: textTable([['ID', 'NAME', 'TOKEN', 'CREATED', 'EXPIRES', 'LAST USED'], ...rows]) };
    }),
};

/** `kirim token revoke`: revokes one of a user's tokens at once. */
export const revoke: CommandModule = {
  options: { email: { type: 'string' }, id: { type: 'string' } },
  help: `Revokes a token of the user with this email; requests with it are refused from then on.
  --email E  the user
  --id ID    the token's id (\`kirim token list --email E\` shows them)
${DATABASE_HELP}
  --json     {"revoked": ID}`,

  fixes: { not_found: '`kirim token list --email E` lists its tokens and their ids' },

  async run({ values }) {
    const id = values.id;
    if (typeof id !== 'string') throw usageError('missing --id');
    return withDatabase(async (kirim) => {
      await kirim.accounts.revokeToken(await actorByEmail(kirim, values), { id });
      return { data: { revoked: id }, text: `Token ${id} revoked.` };
    });
  },
};

/** The user named by `--email`, acting for themself. */
async function actorByEmail(kirim: Kirim, values: OptionValues) {
  if (typeof values.email !== 'string') throw usageError('missing --email');
  const user = await kirim.accounts.findUserByEmail(values.email);
  if (!user) throw new CliError(`no user with email ${values.email}`, 'see `kirim user list`, or `kirim user create`');
  return kirim.accounts.actorFor(user.id);
}
