import { describe, expect, it } from '@jest/globals';
import { X509Certificate, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeDer } from '../../../../src/shared/asn1/decode-der.js';
import { readInteger, readOid, readTime } from '../../../../src/shared/asn1/der-values.js';
import { VECTORS } from '../../../helpers/tools.js';

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');

describe('decodeDer', () => {
  it('decodes a certificate into its TBS, algorithm and signature', () => {
    const cert = new X509Certificate(readFileSync(join(VECTORS, 'notation-e2e-config/localkeys/e2e.crt')));
    const root = decodeDer(cert.raw);
    expect(root.children).toHaveLength(3);
    expect(readOid(root.children[1]!.children[0])).toBe('1.2.840.113549.1.1.11');
    expect(Buffer.from(root.raw).equals(cert.raw)).toBe(true);
  });
  it('reads INTEGER, OBJECT IDENTIFIER and both time forms', () => {
    expect(readInteger(decodeDer(hex('02 02 ff7f')))).toBe(-129n);
    expect(readOid(decodeDer(hex('06 09 2a864886f70d010701')))).toBe('1.2.840.113549.1.7.1');
    expect(readTime(decodeDer(Buffer.concat([hex('17 0d'), Buffer.from('491231235959Z')]))).toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(readTime(decodeDer(Buffer.concat([hex('18 13'), Buffer.from('20240618072138.123Z')]))).toISOString()).toBe('2024-06-18T07:21:38.123Z');
  });

  describe('on malformed or hostile input', () => {
    it.each([
      ['empty input', ''],
      ['a truncated header', '30'],
      ['a length past the end', '30 05 0101'],
      ['an indefinite length (BER, not DER)', '30 80 0000'],
      ['a length of more than 4 octets', '04 85 0100000000'],
      ['trailing bytes', '05 00 00'],
      ['a child running past its parent', '30 03 04 05 00'],
      ['a huge high tag number', '1f ffffffff7f 00'],
    ])('refuses %s with MALFORMED_ASN1', (_name, h) => {
      expect(() => decodeDer(hex(h))).toThrow(expect.objectContaining({ code: 'MALFORMED_ASN1' }));
    });
    it('refuses nesting deeper than the cap', () => {
      const depth = 200;
      // Each level is a SEQUENCE with a 4-octet length.
      let nested: Buffer = hex('05 00');
      for (let i = 0; i < depth; i++) {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(nested.length);
        nested = Buffer.concat([Buffer.from([0x30, 0x84]), len, nested]);
      }
      expect(() => decodeDer(nested)).toThrow(/nesting deeper than 32/);
    });
    it('refuses more elements than the cap', () => {
      // A SEQUENCE of 0x18000 NULLs.
      const many = Buffer.concat([hex('30 83 030000'), Buffer.from(hex('0500').toString('hex').repeat(0x18000), 'hex')]);
      expect(() => decodeDer(many, { maxNodes: 1000 })).toThrow(/more than 1000 DER elements/);
    });
    it('refuses a malformed OID and an unsupported time', () => {
      expect(() => readOid(decodeDer(hex('06 01 81')))).toThrow(/truncated arc/);
      expect(() => readTime(decodeDer(Buffer.concat([hex('17 0b'), Buffer.from('4912312359Z')])))).toThrow(/unsupported time format/);
    });
    it('never throws anything but an Asn1Error on random bytes', () => {
      for (let i = 0; i < 2000; i++) {
        const b = Buffer.concat([Buffer.from([0x30]), randomBytes(1 + (i % 64))]);
        try {
          decodeDer(b);
        } catch (e) {
          expect(e).toMatchObject({ code: 'MALFORMED_ASN1' });
        }
      }
    });
  });
});
