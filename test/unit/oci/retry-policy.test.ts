import { describe, expect, it } from '@jest/globals';
import { DEFAULT_RETRY, backoffDelay, isRetryableStatus, parseRetryAfter } from '../../../src/oci/retry-policy.js';

describe('isRetryableStatus', () => {
  it.each([429, 500, 502, 503, 504])('retries %i', (s) => { expect(isRetryableStatus(s)).toBe(true); });
  it.each([200, 400, 401, 403, 404, 501])('does not retry %i', (s) => { expect(isRetryableStatus(s)).toBe(false); });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => { expect(parseRetryAfter('3')).toBe(3000); });
  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
  });
  it('treats a past date as no wait', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2000 00:00:00 GMT')).toBe(0);
  });
  it('ignores absent or malformed values', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const opts = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
  it('doubles per attempt, with jitter between half and the full delay', () => {
    expect(backoffDelay(1, opts, undefined, () => 0)).toBe(50);
    expect(backoffDelay(1, opts, undefined, () => 1)).toBe(100);
    expect(backoffDelay(3, opts, undefined, () => 1)).toBe(400);
  });
  it('caps the delay', () => {
    expect(backoffDelay(10, opts, undefined, () => 1)).toBe(1000);
  });
  it('honours Retry-After over the computed backoff', () => {
    expect(backoffDelay(1, opts, 2500, () => 1)).toBe(2500);
    expect(backoffDelay(4, opts, 0, () => 1)).toBe(0);
  });
});
