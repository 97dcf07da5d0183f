import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { CborTag, decodeCbor } from '../../../../src/shared/cbor/decode-cbor.js';
import { encodeCbor } from '../../../../src/shared/cbor/encode-cbor.js';

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');

describe('decodeCbor', () => {
  describe('on well-formed input (RFC 8949 Appendix A examples)', () => {
    it.each([
      ['00', 0], ['17', 23], ['1818', 24], ['1903e8', 1000], ['1a000f4240', 1000000],
      ['20', -1], ['3863', -100], ['f4', false], ['f5', true], ['f6', null], ['f7', undefined],
      ['6161', 'a'], ['62c3bc', 'ü'], ['f93c00', 1], ['fb3ff199999999999a', 1.1],
    ])('decodes %s', (h, want) => {
      expect(decodeCbor(hex(h))).toEqual(want);
    });
    it('decodes byte strings, arrays, maps with integer and text keys, and tags', () => {
      const v = decodeCbor(hex('d2 84 43 a10126 a1 0440 4474657374 40')) as CborTag;
      expect(v).toBeInstanceOf(CborTag);
      expect(v.tag).toBe(18);
      const [prot, unprot, payload, sig] = v.value as [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array];
      expect(decodeCbor(prot)).toEqual(new Map([[1, -7]]));
      expect(unprot.get(4)).toEqual(new Uint8Array(0));
      expect(Buffer.from(payload).toString()).toBe('test');
      expect(sig).toEqual(new Uint8Array(0));
    });
    it('keeps 64-bit integers beyond 2^53 exact as bigint', () => {
      expect(decodeCbor(hex('1bffffffffffffffff'))).toBe(18446744073709551615n);
    });
    it('round-trips what encodeCbor writes', () => {
      const enc = encodeCbor(['Signature1', new Uint8Array([1, 2]), new Uint8Array(0), 'x'.repeat(300), 65536, -1000]);
      expect(decodeCbor(enc)).toEqual(['Signature1', new Uint8Array([1, 2]), new Uint8Array(0), 'x'.repeat(300), 65536, -1000]);
    });
  });

  describe('on malformed or hostile input', () => {
    it.each([
      ['empty input', ''],
      ['a truncated byte string', '44 0102'],
      ['a length beyond the input', '5a ffffffff 00'],
      ['an array claiming 2^32 items', '9a ffffffff'],
      ['a map claiming more pairs than bytes', 'bb 00000000ffffffff'],
      ['trailing bytes', '00 00'],
      ['an indefinite-length array', '9f 01 ff'],
      ['an indefinite-length byte string', '5f 41 01 ff'],
      ['a reserved additional info', '1c'],
      ['an unsupported simple value', 'f0'],
      ['invalid UTF-8 text', '62 c328'],
      ['a duplicate map key', 'a2 01 01 01 02'],
      ['an array as map key', 'a1 80 01'],
      ['a truncated tag', 'd2'],
    ])('refuses %s with MALFORMED_CBOR', (_name, h) => {
      expect(() => decodeCbor(hex(h))).toThrow(expect.objectContaining({ code: 'MALFORMED_CBOR' }));
    });
    it('refuses nesting deeper than the cap instead of recursing without bound', () => {
      const deep = Buffer.alloc(100_000, 0x81);
      expect(() => decodeCbor(deep)).toThrow(/nesting deeper than 16/);
    });
    it('refuses more items than the cap', () => {
      const many = Buffer.concat([hex('9a 00010000'), Buffer.alloc(0x10000, 0)]);
      expect(() => decodeCbor(many, { maxItems: 1000 })).toThrow(/more than 1000 CBOR items/);
    });
    it('never throws anything but a CborError on random bytes', () => {
      for (let i = 0; i < 2000; i++) {
        const b = randomBytes(1 + (i % 64));
        try {
          decodeCbor(b);
        } catch (e) {
          expect(e).toMatchObject({ code: 'MALFORMED_CBOR' });
        }
      }
    });
  });
});
