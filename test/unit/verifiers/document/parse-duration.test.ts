import { describe, expect, it } from '@jest/globals';
import { parseDuration } from '../../../../src/verifiers/document/parse-duration.js';

describe('parseDuration', () => {
  it.each([
    ['720h', 720 * 3_600_000],
    ['30d', 30 * 86_400_000],
    ['1h30m', 90 * 60_000],
    ['2w', 14 * 86_400_000],
    ['1.5h', 90 * 60_000],
    ['500ms', 500],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', '0h', '30', 'h', '-1h', '1y', '1h ', 'x'.repeat(100)])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
