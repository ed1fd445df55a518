import { KirimError } from '@kirim/core';

/**
 * Turns a driver error into a KirimError with a stable code, keeping the original as `cause`,
 * so no driver error leaks past the adapter.
 */
export function translateDriverError(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  if (!isDriverError(error, code)) return error;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505')
    return conflict(error);
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') {
    return new KirimError('not_found', 'A referenced record does not exist', { cause: error });
  }
  // PostgreSQL text and jsonb cannot hold U+0000 (SQLite can): the value is the client's, never a 500.
  if (code === '22021' || code === '22P05')
    return new KirimError('bad_request', 'Text with a NUL character (U+0000) cannot be stored or searched', {
      cause: error,
    });
  if (code === 'SQLITE_BUSY' || code === '40001' || code === '40P01') {
    return new KirimError('unavailable', 'The database is busy; try again', { cause: error });
  }
  return new KirimError('internal', 'Storage error', { cause: error });
}

// The wire field each unique rule protects, by the rule's table and columns as the drivers report them.
// A rule not listed names its columns other than the owner's (`user_id`), which scopes the rule but never collides alone.
const UNIQUE_FIELDS: Record<string, string> = {
  'users(email)': 'email',
  'contacts(user_id, phone)': 'phone',
  'leads(user_id, phone)': 'phone',
};

/** A `conflict` naming the field whose value is taken: `details: { phone: ['already exists'] }`. */
function conflict(error: unknown): KirimError {
  const rule = uniqueRule(error);
  const listed = rule && UNIQUE_FIELDS[`${rule.table}(${rule.columns.join(', ')})`];
  const fields = listed ? [listed] : (rule?.columns.filter((c) => c !== 'user_id') ?? []);
  if (fields.length === 0)
    return new KirimError('conflict', 'A record with the same unique value already exists', { cause: error });
  const details = Object.fromEntries(fields.map((f) => [f, ['already exists']]));
  return new KirimError('conflict', `A record with this ${fields.join(' and ')} already exists`, {
    cause: error,
    details,
  });
}

/**
 * The table and columns of the unique rule a driver error broke. better-sqlite3 says
 * `UNIQUE constraint failed: contacts.user_id, contacts.phone`; pg gives `table` and a detail
 * `Key (user_id, phone)=(…) already exists.`
 */
function uniqueRule(error: unknown): { table: string; columns: string[] } | undefined {
  const { message, table, detail } = error as { message?: string; table?: string; detail?: string };
  const sqlite = /UNIQUE constraint failed: (.+)$/.exec(message ?? '');
  if (sqlite) {
    const qualified = sqlite[1].split(', ').map((c) => c.split('.'));
    return { table: qualified[0][0], columns: qualified.map((c) => c[c.length - 1]) };
  }
  const pg = /^Key \((.+?)\)=/.exec(detail ?? '');
  if (pg && table) return { table, columns: pg[1].split(', ').map((c) => c.replace(/^"|"$/g, '')) };
  return undefined;
}

/** Wraps every method of a repository so its rejections, and its async iterations' errors, pass through {@link translateDriverError}. */
export function translatingErrors<T extends object>(repository: T): T {
  return new Proxy(repository, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result = value.apply(target, args);
          if (result instanceof Promise) return result.catch((error) => Promise.reject(translateDriverError(error)));
          return isAsyncIterable(result) ? translatingIteration(result) : result;
        } catch (error) {
          throw translateDriverError(error);
        }
      };
    },
  });
}

// A scan's queries run as it is iterated, after the method returned: its errors are translated there.
async function* translatingIteration<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* source;
  } catch (error) {
    throw translateDriverError(error);
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

// better-sqlite3 throws SqliteError with SQLITE_* codes; pg throws DatabaseError with a SQLSTATE and a severity.
function isDriverError(error: unknown, code: unknown): boolean {
  if (error instanceof KirimError || typeof code !== 'string') return false;
  return code.startsWith('SQLITE_') || (/^[0-9A-Z]{5}$/.test(code) && 'severity' in (error as object));
}
