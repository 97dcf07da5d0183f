import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificates } from '../../../src/trust/parse-certificates.js';
import { VECTORS } from '../../helpers/tools.js';

const X509 = join(VECTORS, 'notation-go/verifier/testdata/truststore/x509');

describe('parseCertificates', () => {
  it('reads a PEM file with one certificate', () => {
    const certs = parseCertificates(readFileSync(join(VECTORS, 'notation-e2e-config/localkeys/e2e.crt')), 'e2e.crt');
    expect(certs).toHaveLength(1);
    expect(certs[0]).toBeInstanceOf(X509Certificate);
  });
  it('reads every CERTIFICATE block of a bundle and skips other blocks', () => {
    const pem = readFileSync(join(X509, 'ca/trust-store-with-leaf-certs-in-single-file/RootAndLeafCerts.crt'), 'utf8');
    expect(parseCertificates(Buffer.from(`-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${pem}`), 'bundle').length).toBeGreaterThanOrEqual(2);
  });
  it('reads a DER file', () => {
    expect(parseCertificates(readFileSync(join(X509, 'ca/valid-trust-store/GlobalSign.der')), 'GlobalSign.der')).toHaveLength(1);
  });
  it.each([
    ['an empty file', Buffer.alloc(0), 'NO_CERTIFICATES'],
    ['a PEM file without certificates', Buffer.from('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), 'NO_CERTIFICATES'],
    ['garbage', Buffer.from('not a certificate'), 'INVALID_CERTIFICATE'],
    ['an invalid certificate (notation-go vector)', readFileSync(join(X509, 'ca/trust-store-with-invalid-certs/invalid')), 'INVALID_CERTIFICATE'],
    ['a PEM block with broken base64 content', Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), 'INVALID_CERTIFICATE'],
  ])('refuses %s, naming the origin', (_name, bytes, code) => {
    expect(() => parseCertificates(bytes, '/etc/x.pem')).toThrow(expect.objectContaining({ code, message: expect.stringContaining('/etc/x.pem') }));
  });
});
