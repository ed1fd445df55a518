import { KirimError } from '@kirim/core';

/**
 * Turns a driver error into a KirimError with a stable code, keeping the original as `cause`,
 * so no driver error leaks past the adapter.
 */
export function translateDriverError(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  if (!isDriverError(error, code)) return error;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') {
    return new KirimError('conflict', 'A record with the same unique value already exists', { cause: error });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') {
    return new KirimError('not_found', 'A referenced record does not exist', { cause: error });
  }
  if (code === 'SQLITE_BUSY' || code === '40001' || code === '40P01') {
    return new KirimError('unavailable', 'The database is busy; try again', { cause: error });
  }
  return new KirimError('internal', 'Storage error', { cause: error });
}

/** Wraps every method of a repository so its rejections pass through {@link translateDriverError}. */
export function translatingErrors<T extends object>(repository: T): T {
  return new Proxy(repository, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result = value.apply(target, args);
          return result instanceof Promise ? result.catch((error) => Promise.reject(translateDriverError(error))) : result;
        } catch (error) {
          throw translateDriverError(error);
        }
      };
    },
  });
}

// better-sqlite3 throws SqliteError with SQLITE_* codes; pg throws DatabaseError with a SQLSTATE and a severity.
function isDriverError(error: unknown, code: unknown): boolean {
  if (error instanceof KirimError || typeof code !== 'string') return false;
  return code.startsWith('SQLITE_') || (/^[0-9A-Z]{5}$/.test(code) && 'severity' in (error as object));
}
