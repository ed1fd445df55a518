/**
 * The stable error codes clients branch on. Append-only: a code, once released, never changes meaning.
 */
export const ERROR_CODES = [
  'validation',
  'not_found',
  'conflict',
  'unauthorized',
  'forbidden',
  'plan_required',
  'no_device',
  'rate_limited',
  'payload_too_large',
  'unavailable',
  'bad_request',
  'internal',
  /** An edit of a message sent longer ago than WhatsApp allows (15 minutes). */
  'edit_window_closed',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Field name (as on the wire) → every reason it was refused. */
export type FieldErrors = Record<string, string[]>;

/** The only error core throws: a stable `code`, a human message, optional field details and cause. */
export class KirimError extends Error {
  readonly code: ErrorCode;
  readonly details?: FieldErrors;
  /** Extra fields an adapter adds to the error body (for example `upgrade_url`). */
  readonly extra?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: FieldErrors; cause?: unknown; extra?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'KirimError';
    this.code = code;
    this.details = options.details;
    this.extra = options.extra;
  }
}

/** Shorthand for the error every lookup of a missing or foreign record throws. */
export function notFound(what: string): KirimError {
  return new KirimError('not_found', `${what} not found`);
}

/** `record` when there is one; otherwise throws {@link notFound} for `what`. */
export function found<T>(record: T | undefined, what: string): T {
  if (record === undefined) throw notFound(what);
  return record;
}

/** True when `error` is a KirimError with the given code. */
export function isKirimError(error: unknown, code?: ErrorCode): error is KirimError {
  return error instanceof KirimError && (code === undefined || error.code === code);
}
