import { describe, expect, it } from '@jest/globals';
import { digestOf, parseDigest, verifyDigest } from '../../../src/oci/digest.js';

describe('digests', () => {
  const body = Buffer.from('hello');
  const sha256 = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

  it('computes sha256 and sha512 digests', () => {
    expect(digestOf(body)).toBe(sha256);
    expect(digestOf(body, 'sha512')).toMatch(/^sha512:[0-9a-f]{128}$/);
  });
  it('verifies a matching body and refuses a different one with DIGEST_MISMATCH', () => {
    expect(() => verifyDigest(body, sha256, 'x')).not.toThrow();
    expect(() => verifyDigest(Buffer.from('hellO'), sha256, 'x')).toThrow(expect.objectContaining({ code: 'DIGEST_MISMATCH' }));
  });
  it.each([
    ['sha256:abc', 'INVALID_DIGEST'],
    ['sha256:' + 'A'.repeat(64), 'INVALID_DIGEST'],
    ['nodigest', 'INVALID_DIGEST'],
    ['md5:' + 'a'.repeat(32), 'UNSUPPORTED_DIGEST_ALGORITHM'],
  ])('refuses %s with %s', (d, code) => {
    expect(() => parseDigest(d)).toThrow(expect.objectContaining({ code }));
  });
});
