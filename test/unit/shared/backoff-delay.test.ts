import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from '../../../src/shared/backoff-delay.js';

describe('backoffDelay', () => {
  it('doubles from the first delay and stops at the cap', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, 100, 1_000))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(4, 100, 1_000)).toBe(1_000);
  });
  it('stays finite and capped however many attempts failed', () => {
    expect(backoffDelay(10_000, 1_000, 60_000)).toBe(60_000);
    expect(backoffDelay(-1, 1_000, 60_000)).toBe(1_000);
  });
});
