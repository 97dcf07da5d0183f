import { describe, expect, it } from '@jest/globals';
import { checkTlsMaterial, loadTlsMaterial } from '../../../../src/server/tls/load-tls-material.js';
import { createCa } from '../../../../src/certs/create-ca.js';
import { issueCert } from '../../../../src/certs/issue-cert.js';

const ca = createCa();
const pair = issueCert(ca, { usage: 'server', commonName: 'localhost', altNames: ['localhost'] });
const other = issueCert(ca, { usage: 'server', commonName: 'other' });
const check = (cert: string, key: string, clientCa?: string) => () =>
  checkTlsMaterial({ cert: Buffer.from(cert), key: Buffer.from(key), ca: clientCa === undefined ? undefined : Buffer.from(clientCa) });

describe('checkTlsMaterial', () => {
  it('accepts a matching, valid pair and reports its expiry', () => {
    const m = check(pair.certPem, pair.keyPem, ca.certPem)();
    expect(m.subject).toContain('CN=localhost');
    expect(m.certNotAfter.getTime()).toBeGreaterThan(Date.now());
    expect(m.clientCaNotAfter?.getTime()).toBeGreaterThan(Date.now());
    expect(m.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a key that belongs to another certificate', () => {
    expect(check(pair.certPem, other.keyPem)).toThrow(expect.objectContaining({ code: 'KEY_MISMATCH' }));
  });

  it('refuses a truncated certificate', () => {
    expect(check(pair.certPem.slice(0, 400), pair.keyPem)).toThrow(expect.objectContaining({ code: 'BAD_CERTIFICATE' }));
  });

  it('refuses a truncated key and garbage', () => {
    expect(check(pair.certPem, pair.keyPem.slice(0, 300))).toThrow(expect.objectContaining({ code: 'BAD_KEY' }));
    expect(check('garbage', pair.keyPem)).toThrow(expect.objectContaining({ code: 'BAD_CERTIFICATE' }));
    expect(check(pair.certPem, 'garbage')).toThrow(expect.objectContaining({ code: 'BAD_KEY' }));
  });

  it('refuses an expired certificate and one not valid yet', () => {
    const expired = issueCert(ca, { usage: 'server', commonName: 'old', notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
    expect(check(expired.certPem, expired.keyPem)).toThrow(expect.objectContaining({ code: 'EXPIRED' }));
    const future = issueCert(ca, { usage: 'server', commonName: 'new', notBefore: new Date(Date.now() + 86_400_000) });
    expect(check(future.certPem, future.keyPem)).toThrow(expect.objectContaining({ code: 'NOT_YET_VALID' }));
  });

  it('refuses a client CA bundle that does not parse or is not a CA', () => {
    expect(check(pair.certPem, pair.keyPem, 'not pem')).toThrow(expect.objectContaining({ code: 'BAD_CLIENT_CA' }));
    expect(check(pair.certPem, pair.keyPem, pair.certPem)).toThrow(expect.objectContaining({ code: 'BAD_CLIENT_CA' }));
  });
});

describe('loadTlsMaterial', () => {
  it('reports an unreadable file', async () => {
    await expect(loadTlsMaterial({ certFile: '/nonexistent/tls.crt', keyFile: '/nonexistent/tls.key', clientCAFile: null }))
      .rejects.toMatchObject({ code: 'READ_FAILED' });
  });
});
