import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { memoByCertificate, parseCertificate, publicKeyOf } from '../../../../src/verifiers/notation/x509/certificate-memo.js';
import { isIssuedBy } from '../../../../src/verifiers/notation/x509/is-issued-by.js';
import { createTestCa } from '../../../helpers/test-ca.js';

const ca = createTestCa('memo-test-ca');
const leaf = ca.issue({ commonName: 'memo-leaf', usage: 'client' });
const other = createTestCa('memo-other-ca');
const der = (pem: string) => new X509Certificate(pem).raw;

describe('certificate memo (one parse and one issuance check per distinct certificate)', () => {
  it('gives the same object for the same DER bytes, a different one for other bytes', () => {
    const a = parseCertificate(der(leaf.certPem));
    expect(parseCertificate(Uint8Array.from(der(leaf.certPem)))).toBe(a);
    expect(parseCertificate(der(ca.certPem))).not.toBe(a);
    expect(a.subject).toContain('memo-leaf');
  });

  it('throws on bytes that are not a certificate, and remembers nothing for them', () => {
    expect(() => parseCertificate(Buffer.from('not a certificate'))).toThrow();
    expect(() => parseCertificate(Buffer.from('not a certificate'))).toThrow();
  });

  it('answers issuance per (child, parent) pair, the same as an unmemoised check', () => {
    const child = parseCertificate(der(leaf.certPem));
    const parent = parseCertificate(der(ca.certPem));
    const stranger = parseCertificate(der(other.certPem));
    for (let i = 0; i < 2; i++) {
      expect(isIssuedBy(child, parent)).toBe(true);
      expect(isIssuedBy(child, stranger)).toBe(false);
      expect(isIssuedBy(parent, parent)).toBe(true);
    }
    expect(child.verify(publicKeyOf(parent))).toBe(true);
  });

  it('computes a derived fact once per certificate object, and again after a throw', () => {
    let calls = 0;
    const fact = memoByCertificate((c) => { calls++; if (c.subject.includes('memo-other')) throw new Error('no'); return c.subject; });
    const a = parseCertificate(der(leaf.certPem));
    expect(fact(a)).toBe(fact(a));
    expect(calls).toBe(1);
    const b = parseCertificate(der(other.certPem));
    expect(() => fact(b)).toThrow('no');
    expect(() => fact(b)).toThrow('no');
    expect(calls).toBe(3);
  });
});
