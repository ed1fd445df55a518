import { resolve } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

/** Every environment variable the server reads, with its default. The README documents each. */
const envSchema = z.object({
  PORT: port.default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
    .optional(),
  KIRIM_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  KIRIM_ADMIN_EMAIL: z.email().default('admin@kirim.local'),
  KIRIM_ADMIN_NAME: z.string().min(1).default('Administrator'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT: z.string().min(1).default('1mb'),
  KIRIM_AUTH_CACHE_MS: z.coerce.number().int().min(0).default(5000),
  KIRIM_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  DEFAULT_COUNTRY_CODE: z.string().regex(/^[1-9]\d{0,2}$/, 'must be a country calling code such as 62').default('62'),
});

/** The server's configuration, read from the environment. */
export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  adminToken: string | undefined;
  admin: { email: string; name: string };
  logLevel: string;
  bodyLimit: string;
  authCacheMs: number;
  shutdownTimeoutMs: number;
  /** Calling code for national phone numbers (`0812…`); default `62`. */
  defaultCountryCode: string;
}

/** Reads the configuration; throws one error naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const result = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    adminToken: e.KIRIM_ADMIN_TOKEN,
    admin: { email: e.KIRIM_ADMIN_EMAIL, name: e.KIRIM_ADMIN_NAME },
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.BODY_LIMIT,
    authCacheMs: e.KIRIM_AUTH_CACHE_MS,
    shutdownTimeoutMs: e.KIRIM_SHUTDOWN_TIMEOUT_MS,
    defaultCountryCode: e.DEFAULT_COUNTRY_CODE,
  };
}
