/**
 * Development/test certificate material made with node-forge (SPEC "Commands":
 * `portcullis certs generate`). Production clusters bring their own (cert-manager).
 */
import forge from 'node-forge';

export interface KeyPairPem {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateAuthority extends KeyPairPem {
  readonly cert: forge.pki.Certificate;
  readonly key: forge.pki.rsa.PrivateKey;
}

export interface ValidityOptions {
  /** Defaults to now minus 5 minutes (clock skew between hosts). */
  notBefore?: Date;
  /** Defaults to notBefore + validityDays. */
  notAfter?: Date;
  validityDays?: number;
}

const DAY_MS = 86_400_000;

export function validity(options: ValidityOptions, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const notBefore = options.notBefore ?? new Date(Date.now() - 5 * 60_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + (options.validityDays ?? defaultDays) * DAY_MS);
  return { notBefore, notAfter };
}

export function randomSerial(): string {
  // Positive 16-byte serial (RFC 5280 §4.1.2.2): clear the top bit.
  const bytes = forge.random.getBytesSync(16);
  const hex = forge.util.bytesToHex(bytes);
  return (parseInt(hex[0] ?? '0', 16) & 0x7).toString(16) + hex.slice(1);
}

export function rsaKeyPair(): forge.pki.rsa.KeyPair {
  // forge delegates to node:crypto's generateKeyPairSync when it is available.
  return forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
}

/** A self-signed CA allowed to sign leaf certificates only (pathLen 0). */
export function createCa(options: ValidityOptions & { commonName?: string } = {}): CertificateAuthority {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  const { notBefore, notAfter } = validity(options, 3650);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const subject = [{ name: 'commonName', value: options.commonName ?? 'Portcullis development CA' }, { name: 'organizationName', value: 'Portcullis' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return {
    cert,
    key: keys.privateKey,
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}
