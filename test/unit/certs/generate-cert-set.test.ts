import { describe, expect, it } from '@jest/globals';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCerts } from '../../../src/certs/ensure-certs.js';
import { generateCertSet, writeCertSet } from '../../../src/certs/generate-cert-set.js';

describe('generateCertSet', () => {
  const set = generateCertSet({ dns: ['portcullis.portcullis.svc', 'portcullis.portcullis.svc.cluster.local'] });
  const ca = new X509Certificate(set.ca.certPem);
  const server = new X509Certificate(set.server.certPem);
  const client = new X509Certificate(set.client.certPem);

  it('makes a CA that signed both leaf certificates', () => {
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
  });

  it('puts the --dns names and the local names into the serving certificate', () => {
    expect(server.subjectAltName).toBe('DNS:portcullis.portcullis.svc, DNS:portcullis.portcullis.svc.cluster.local, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(server.checkHost('portcullis.portcullis.svc')).toBe('portcullis.portcullis.svc');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('gives each certificate its matching key and the right extended key usage', () => {
    expect(server.checkPrivateKey(createPrivateKey(set.server.keyPem))).toBe(true);
    expect(client.checkPrivateKey(createPrivateKey(set.client.keyPem))).toBe(true);
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });
});

describe('writeCertSet', () => {
  it('writes the six files, private keys with mode 0600', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'portcullis-certs-')), 'out');
    const files = await writeCertSet(dir, generateCertSet());
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key', 'client.crt', 'client.key']);
    for (const f of files) {
      expect((await stat(f)).mode & 0o777).toBe(f.endsWith('.key') ? 0o600 : 0o644);
    }
  });
});

describe('ensureCerts', () => {
  it('generates a set when the serving pair is absent, and leaves an existing one alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-certs-'));
    expect(await ensureCerts(join(dir, 'certs/tls.crt'), join(dir, 'certs/tls.key'))).toBe(true);
    const first = await readFile(join(dir, 'certs/tls.crt'), 'utf8');
    expect(await ensureCerts(join(dir, 'certs/tls.crt'), join(dir, 'certs/tls.key'))).toBe(false);
    expect(await readFile(join(dir, 'certs/tls.crt'), 'utf8')).toBe(first);
  });
});
