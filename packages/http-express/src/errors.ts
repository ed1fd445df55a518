import { KirimError, type ErrorCode, type Logger } from '@kirim/core';
import type { ErrorRequestHandler, RequestHandler } from 'express';

/** The HTTP status of each error code. Typed exhaustively: a new code does not compile until it has one. */
export const statusForCode: Record<ErrorCode, number> = {
  validation: 422,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  plan_required: 402,
  no_device: 503,
  rate_limited: 429,
  payload_too_large: 413,
  unavailable: 503,
  bad_request: 400,
  internal: 500,
  edit_window_closed: 422,
};

/** Answers every route this router does not know with a 404 in the error envelope. */
export const unknownRoute: RequestHandler = (req, res) => {
  res
    .status(404)
    .json({ success: false, code: 'not_found', message: `No route ${req.method} ${req.originalUrl.split('?')[0]}` });
};

/**
 * Turns what Express and body-parser mark as the client's error into a KirimError, never a 500: an http-errors
 * 4xx (`expose: true`: malformed JSON, an oversized body, an unsupported encoding) and the router's 400 for a
 * path parameter with broken percent-encoding. Any other error stays unknown whatever `status` or `statusCode`
 * it carries (a library's own, such as undici's ResponseError for an upstream 404, is no fault of this client).
 */
function fromExpress(error: unknown): KirimError | undefined {
  const { status, expose, type } = (error ?? {}) as { status?: unknown; expose?: unknown; type?: unknown };
  // The router sets status 400 on the URIError of decodeURIComponent, but no `expose`: it is not an http-error.
  if (error instanceof URIError && status === 400)
    return new KirimError('bad_request', 'Malformed percent-encoding in the URL path', { cause: error });
  if (expose !== true || typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (status === 413) return new KirimError('payload_too_large', 'Request body is too large', { cause: error });
  if (type === 'entity.parse.failed')
    return new KirimError('bad_request', 'Malformed JSON in request body', { cause: error });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new KirimError('bad_request', 'Unsupported body encoding', { cause: error });
  return new KirimError('bad_request', 'Bad request', { cause: error });
}

/**
 * The one error handler: KirimErrors become `{success:false, code, message, errors?}` with the status of
 * their code (401 keeps the document's bare `{message}` body); anything else is logged with its cause
 * and answered with a plain 500.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const known = error instanceof KirimError ? error : fromExpress(error);
    if (!known || known.code === 'internal') {
      logger.error({ err: known?.cause ?? error, method: req.method, path: req.path }, 'unhandled error');
      res.status(500).json({ success: false, code: 'internal', message: 'Internal server error' });
      return;
    }
    const status = statusForCode[known.code];
    if (status === 401) {
      res.status(401).json({ message: known.message });
      return;
    }
    res.status(status).json({
      success: false,
      code: known.code,
      message: known.message,
      ...(known.details ? { errors: known.details } : {}),
      ...known.extra,
    });
  };
}
