import type { Actor, Kirim, User } from '@kirim/core';
import { DATABASE_HELP, withDatabase } from './account-database.js';
import type { CommandModule } from './command.js';
import { textTable } from './text-table.js';

// Whoever can open the database is its operator: they act as an admin would.
const OPERATOR: Actor = { userId: '', role: 'admin', plan: 'supporter', planExpiresAt: null };

/** `kirim user create`: adds a user (no token needed: the database is opened directly). */
export const create: CommandModule = {
  options: {
    name: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    plan: { type: 'string' },
    'plan-expires-at': { type: 'string' },
  },
  help: `Adds a user. Give it a token with \`kirim token create --email E\`.
  --name N                the user's name
  --email E               unique
  --role user|admin       default user
  --plan free|supporter   default free
  --plan-expires-at DATE  when a supporter plan lapses (ISO date), default never
${DATABASE_HELP}
  --json                  the user`,

  run: ({ values }) =>
    withDatabase(async (kirim) => {
      const user = await kirim.accounts.createUser(OPERATOR, {
        name: (values.name as string | undefined) ?? '',
        email: (values.email as string | undefined) ?? '',
        role: values.role as User['role'] | undefined,
        plan: values.plan as User['plan'] | undefined,
        plan_expires_at: values['plan-expires-at'] as string | undefined,
      });
      return { data: user, text: `Created ${user.role} ${user.name} <${user.email}> (${user.plan} plan): ${user.id}` };
    }),
};

/** `kirim user list`: every user. */
export const list: CommandModule = {
  options: {},
  help: `Lists every user: id, name, email, role and plan.
${DATABASE_HELP}
  --json  the users`,

  run: () =>
    withDatabase(async (kirim) => {
      const users = await allUsers(kirim);
      const rows = users.map((u) => [u.id, u.name, u.email, u.role, planOf(u)]);
      return { data: users, text: textTable([['ID', 'NAME', 'EMAIL', 'ROLE', 'PLAN'], ...rows]) };
    }),
};

async function allUsers(kirim: Kirim): Promise<User[]> {
  const users: User[] = [];
  for (let page = 1; ; page++) {
    const { items, total } = await kirim.accounts.listUsers(OPERATOR, { page, per_page: 100 });
    users.push(...items);
    if (items.length === 0 || users.length >= total) return users;
  }
}

const planOf = (u: User) => (u.plan_expires_at ? `${u.plan} until ${u.plan_expires_at.slice(0, 10)}` : u.plan);
