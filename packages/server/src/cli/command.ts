import type { ParseArgsConfig } from 'node:util';

/** The options a command takes, as `node:util` parseArgs declares them. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed options, by name. */
export type OptionValues = Record<string, string | boolean | undefined>;

/** What a command runs with: its parsed options and arguments, and where its answer goes. */
export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  /** `--json`: the answer is JSON, one value a line, for scripts. */
  json: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Prints one step of the answer: `data` as a JSON line under `--json`, otherwise `text` for a person. */
  emit(data: unknown, text: string): void;
}

/** A command's final answer: the machine's (`--json`) and a person's. */
export interface CommandResult {
  data: unknown;
  text: string;
}

/** What a command module exports; the synopsis and summary live in the command table (cli.ts). */
export interface CommandModule {
  /** Options beyond the common `--json` and `--help`. */
  options: OptionSpecs;
  /** What `kirim <command> --help` says below the synopsis: what it does and each option. */
  help: string;
  /** Whether it takes arguments besides its options (NAME, FILE, TEXT); others refuse any. */
  takesArguments?: boolean;
  /** What to do about a failure with this Kirim error code, where the command knows better than the default. */
  fixes?: Record<string, string>;
  /** Runs the command; `running` leaves the process to the server it started. */
  run(context: CommandContext): Promise<CommandResult | 'running'>;
}

/** Exit status: 1 a failure, 2 a command used wrongly (see `--help`). */
export type ExitCode = 1 | 2;

/** A failure a person can act on: what is wrong and, unless the dispatcher's `--help` hint will do, the fix. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
    readonly exitCode: ExitCode = 1,
    /** Kirim's stable error code, when Kirim reported the failure. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A command used wrongly (exit 2); the dispatcher points to the command's `--help`. */
export const usageError = (message: string) => new CliError(message, undefined, 2);

/** How a person names a field an error names: the option or argument that sets it. */
const FIELD_NAMES: Record<string, string> = {
  session_id: '--session',
  to: '--to',
  message: 'the message text',
  session_name: 'NAME',
  phone: '--pairing-code',
  file: 'FILE',
  name: '--name',
  email: '--email',
  role: '--role',
  plan: '--plan',
  plan_expires_at: '--plan-expires-at',
  expires_in_days: '--expires-in-days',
  id: '--id',
};

/** What to do about a failure, by Kirim's stable error code. */
const FIXES: Record<string, string> = {
  unauthorized: 'set KIRIM_TOKEN or pass --token with a valid API token (`kirim token create --email …` makes one)',
  forbidden: "use an admin's API token",
  not_found: 'check the id',
  no_device: 'the session is not connected: see `kirim sessions`, and link a new one with `kirim link NAME`',
  rate_limited: 'wait a little and try again',
  plan_required: 'this needs the Supporter plan',
  payload_too_large: 'send a smaller file',
  unavailable: 'the server has no WhatsApp transport now: check its log',
  internal: 'the server logged the cause: check its log',
};

/**
 * The one-line error for a failure Kirim reported (an API error envelope or a KirimError): every offending field
 * named by its option, and the fix for its code (validation: the command's `--help`).
 */
export function kirimFailure(code: string, message: string, fields?: Record<string, string[]>): CliError {
  const named = Object.entries(fields ?? {}).map(
    ([field, reasons]) => `${FIELD_NAMES[field] ?? field} (${reasons.join(', ')})`,
  );
  if (named.length > 0) return new CliError(`invalid ${named.join(' and ')}`, undefined, 1, code);
  return new CliError(message.replace(/\.$/, ''), FIXES[code], 1, code);
}
