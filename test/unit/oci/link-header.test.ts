import { describe, expect, it } from '@jest/globals';
import { parseNextLink } from '../../../src/oci/link-header.js';

describe('parseNextLink', () => {
  it('finds the next link', () => {
    expect(parseNextLink('</v2/a/referrers/sha256:1?n=2&last=x>; rel="next"')).toBe('/v2/a/referrers/sha256:1?n=2&last=x');
  });
  it('accepts an unquoted rel and other links around it', () => {
    expect(parseNextLink('<https://r/prev>; rel=prev, <https://r/next?a=1,2>; rel=next')).toBe('https://r/next?a=1,2');
  });
  it('accepts rel with several values', () => {
    expect(parseNextLink('</x>; title="t"; rel="last next"')).toBe('/x');
  });
  it('returns undefined without a next link or for garbage', () => {
    expect(parseNextLink(undefined)).toBeUndefined();
    expect(parseNextLink('</x>; rel="prev"')).toBeUndefined();
    expect(parseNextLink('nonsense')).toBeUndefined();
    expect(parseNextLink(`<${'a'.repeat(10_000)}>; rel=next`)).toBeUndefined();
  });
});
