// Tests of src/shared/json (owned with the document verifiers, which are its users).
import { describe, expect, it } from '@jest/globals';
import { checkJsonDepth } from '../../../../src/shared/json/check-json-depth.js';
import { parseBoundedJson } from '../../../../src/shared/json/parse-bounded-json.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const limits = { maxBytes: 1024, maxDepth: 3 };

describe('checkJsonDepth', () => {
  it('returns the deepest nesting', () => {
    expect(checkJsonDepth(bytes('{"a":[1,{"b":[]}],"c":{}}'), 10)).toBe(4);
    expect(checkJsonDepth(bytes('17'), 10)).toBe(0);
  });
  it('skips brackets in strings, escaped quotes included', () => {
    expect(checkJsonDepth(bytes('["\\"[[[[", "\\\\", "]]]"]'), 10)).toBe(1);
  });
  it('stops at the first level over the limit', () => {
    expect(() => checkJsonDepth(bytes('['.repeat(1_000_000)), 64)).toThrow(expect.objectContaining({ code: 'TOO_DEEP', message: 'JSON nests deeper than 64 levels (at byte 64)' }));
  });
});

describe('parseBoundedJson', () => {
  it('parses JSON within the limits', () => {
    expect(parseBoundedJson(bytes('{"a":[{"b":1}]}'), limits)).toEqual({ a: [{ b: 1 }] });
  });
  it('strips a UTF-8 byte order mark', () => {
    expect(parseBoundedJson(Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes('[1]')]), limits)).toEqual([1]);
  });
  it.each([
    ['too large', 'x'.repeat(1025), 'TOO_LARGE'],
    ['too deep', '[[[[1]]]]', 'TOO_DEEP'],
    ['not JSON', '{"a":', 'INVALID_JSON'],
    ['empty', '', 'INVALID_JSON'],
  ])('refuses a document that is %s', (_, text, code) => {
    expect(() => parseBoundedJson(bytes(text), limits)).toThrow(expect.objectContaining({ code }));
  });
  it('refuses invalid UTF-8', () => {
    expect(() => parseBoundedJson(Uint8Array.from([0x22, 0xc3, 0x28, 0x22]), limits)).toThrow(expect.objectContaining({ code: 'INVALID_UTF8' }));
  });
});

describe('parseBoundedJson within the registry byte budget', () => {
  const big = { maxBytes: 64 * 1024 * 1024, maxDepth: 64 };
  it('refuses a document of tiny values whose parsed form would be many times its size', () => {
    // 3 bytes per empty object: parsed, each costs tens of bytes of heap.
    const objects = `[${Array.from({ length: 400_000 }, () => '{}').join(',')}]`;
    expect(() => parseBoundedJson(bytes(objects), big)).toThrow(expect.objectContaining({ code: 'TOO_LARGE', message: expect.stringContaining('would parse to about') }));
    const zeros = `[${Array.from({ length: 400_000 }, () => '0').join(',')}]`;
    expect(() => parseBoundedJson(bytes(zeros), big)).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });
  it('parses a realistic SBOM of the same size', () => {
    const packages = Array.from({ length: 5_000 }, (_, i) => ({
      name: `pkg-${i}`, SPDXID: `SPDXRef-Package-${i}`, versionInfo: `1.${i % 100}.0`, licenseConcluded: 'MIT',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:npm/pkg-${i}@1.${i % 100}.0` }],
    }));
    const doc = bytes(JSON.stringify({ spdxVersion: 'SPDX-2.3', packages }));
    expect((parseBoundedJson(doc, big) as { packages: unknown[] }).packages).toHaveLength(5_000);
  });
});
