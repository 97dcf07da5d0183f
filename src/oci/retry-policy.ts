/**
 * When to retry a registry request and how long to wait: 429 and 5xx (and network errors) are
 * retried with exponential backoff and full jitter; a `Retry-After` header (seconds or an
 * HTTP date, RFC 9110 §10.2.3) is honoured as the minimum wait.
 */

export interface RetryOptions {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this is treated as "not worth waiting for". */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2000, maxRetryAfterMs: 30_000 };

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Parses `Retry-After` into milliseconds from `now`; undefined when absent or malformed. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  // An HTTP-date (IMF-fixdate, e.g. `Wed, 21 Oct 2015 07:28:00 GMT`); anything else is ignored.
  if (!/^[A-Za-z]{3},? .*\d{2}:\d{2}:\d{2} GMT$/.test(v)) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

/** Delay before retry number `attempt` (1 = the first retry). `random` is injectable for tests. */
export function backoffDelay(attempt: number, options: RetryOptions, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exp * (0.5 + random() / 2));
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, 0) : jittered;
}
