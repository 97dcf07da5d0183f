import { describe, expect, it } from '@jest/globals';
import { parseRfc3339 } from '../../../../src/verifiers/document/parse-rfc3339.js';

describe('parseRfc3339', () => {
  it.each([
    ['2023-11-29T01:44:41Z', '2023-11-29T01:44:41.000Z'],
    ['2023-11-29T01:44:41.123456789+02:00', '2023-11-28T23:44:41.123Z'],
    ['2023-11-29 01:44:41z', '2023-11-29T01:44:41.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseRfc3339(text)?.toISOString()).toBe(iso);
  });
  it.each(['2023', '2023-11-29', 'Nov 29 2023', '2023-11-29T01:44:41', '2023-13-45T99:99:99Z', ''])('refuses %j', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});
