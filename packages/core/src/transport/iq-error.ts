/**
 * The code of WhatsApp's refusal of a query (an IQ error: 401, 403, 404...), when `error` is one: Baileys throws it as
 * a Boom whose `data` is the code, and the simulated networks throw the same shape. Undefined for any other error.
 */
export function iqErrorCode(error: unknown): number | undefined {
  const { isBoom, data } = (error ?? {}) as { isBoom?: unknown; data?: unknown };
  return isBoom === true && typeof data === 'number' ? data : undefined;
}
