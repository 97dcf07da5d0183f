import { describe, expect, it } from '@jest/globals';
import { cacheKeyId, staticCacheKeyRing } from '../../../src/cache/cache-key-ring.js';
import { openEntry, sealEntry } from '../../../src/cache/signed-entry.js';

const K1 = Buffer.from('a'.repeat(64));
const K2 = Buffer.from('b'.repeat(64));
const ring = staticCacheKeyRing([K1]);
const signer = ring.signing()!;
const value = JSON.stringify({ verifier: 'release', valid: true });
const key = 'portcullis:results:reg/app|sha256:aa';
const later = Date.now() + 60_000;

describe('sealEntry / openEntry', () => {
  it('opens what it sealed, for the same kind and key', () => {
    const raw = sealEntry(signer, 'results', key, later, value);
    expect(openEntry(ring, 'results', key, raw)).toEqual({ ok: true, value: { verifier: 'release', valid: true }, expiresAt: Math.floor(later) });
  });

  it('names the signing key by an id derived from its bytes', () => {
    expect(sealEntry(signer, 'results', key, later, value).split(' ')[1]).toBe(cacheKeyId(K1));
  });

  describe('refuses', () => {
    const raw = sealEntry(signer, 'results', key, later, value);
    it.each([
      ['a changed value', raw.replace('true', 'false'), 'bad_signature'],
      ['an extended expiry', raw.replace(` ${Math.floor(later)} `, ` ${Math.floor(later) + 1000} `), 'bad_signature'],
      ['an entry without a header', value, 'malformed'],
      ['the old unauthenticated form', JSON.stringify({ v: { valid: true }, e: later }), 'malformed'],
      ['an empty tag', raw.replace(/ [A-Za-z0-9_-]{43}\n/, ' \n'), 'malformed'],
    ])('%s', (_what, tampered, reason) => {
      expect(openEntry(ring, 'results', key, tampered)).toEqual({ ok: false, reason });
    });

    it('an entry moved to another key', () => {
      expect(openEntry(ring, 'results', `${key}b`, raw)).toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('an entry moved to another kind', () => {
      expect(openEntry(ring, 'referrers', key, raw)).toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('an entry signed by a key the ring does not hold', () => {
      const other = staticCacheKeyRing([K2]).signing()!;
      expect(openEntry(ring, 'results', key, sealEntry(other, 'results', key, later, value))).toEqual({ ok: false, reason: 'unknown_key' });
    });

    it('a tag made with another key under this key\'s id', () => {
      const other = staticCacheKeyRing([K2]).signing()!;
      const forged = sealEntry({ id: signer.id, secret: other.secret }, 'results', key, later, value);
      expect(openEntry(ring, 'results', key, forged)).toEqual({ ok: false, reason: 'bad_signature' });
    });
  });

  it('verifies with any key of the ring, so entries of the previous key stay readable', () => {
    const old = staticCacheKeyRing([K1]).signing()!;
    const rotated = staticCacheKeyRing([K2, K1]);
    expect(rotated.signing()!.id).toBe(cacheKeyId(K2));
    expect(openEntry(rotated, 'results', key, sealEntry(old, 'results', key, later, value))).toMatchObject({ ok: true });
  });
});
