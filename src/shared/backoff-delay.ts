/**
 * Exponential backoff: `initialMs` doubled per failed attempt (0-based), capped at `maxMs`.
 * The exponent is bounded too, so a long outage never overflows to Infinity.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(0, attempt), 30));
}
