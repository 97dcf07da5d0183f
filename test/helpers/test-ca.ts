/**
 * A throwaway certificate authority for tests: issues serving and client certificates
 * (node-forge for X.509, node:crypto for fast native RSA key generation).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface IssueOptions {
  readonly commonName: string;
  /** Subject organisations: for kube-apiserver client certificates these become groups. */
  readonly organizations?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly usage: 'server' | 'client' | 'both';
  /** Validity in days from now (default 1). Negative values issue an already expired certificate. */
  readonly days?: number;
}

export interface TestCa {
  readonly certPem: string;
  readonly keyPem: string;
  issue(options: IssueOptions): IssuedCertificate;
}

function newKey(): { keyPem: string; publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { keyPem, privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function serial(): string {
  // Positive (high bit clear) 16-byte serial number.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  if (days >= 0) {
    cert.validity.notBefore = new Date(now - 60_000);
    cert.validity.notAfter = new Date(now + days * 86_400_000);
  } else {
    cert.validity.notBefore = new Date(now + (days - 1) * 86_400_000);
    cert.validity.notAfter = new Date(now + days * 86_400_000);
  }
}

/** Creates a self-signed CA able to issue leaf certificates. */
export function createTestCa(commonName = 'portcullis-test-ca'): TestCa {
  const ca = newKey();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = serial();
  validity(caCert, 2);
  const caSubject = [{ name: 'commonName', value: commonName }];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(caCert);

  return {
    certPem,
    keyPem: ca.keyPem,
    issue(options) {
      const leaf = newKey();
      const cert = forge.pki.createCertificate();
      cert.publicKey = leaf.publicKey;
      cert.serialNumber = serial();
      validity(cert, options.days ?? 1);
      cert.setSubject([
        { name: 'commonName', value: options.commonName },
        ...(options.organizations ?? []).map((o) => ({ name: 'organizationName', value: o })),
      ]);
      cert.setIssuer(caCert.subject.attributes);
      const altNames = [
        ...(options.dnsNames ?? []).map((value) => ({ type: 2, value })),
        ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
      ];
      cert.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        {
          name: 'extKeyUsage',
          serverAuth: options.usage !== 'client',
          clientAuth: options.usage !== 'server',
        },
        { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
        ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
      ]);
      cert.sign(ca.privateKey, forge.md.sha256.create());
      return { certPem: forge.pki.certificateToPem(cert), keyPem: leaf.keyPem };
    },
  };
}
