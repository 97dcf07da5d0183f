/**
 * Development/test certificate material made with node-forge (SPEC "Commands":
 * `portcullis certs generate`). Production clusters bring their own (cert-manager).
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, privateEncrypt, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPairPem {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateAuthority extends KeyPairPem {
  readonly cert: forge.pki.Certificate;
  readonly key: RsaKey;
}

/** A key made by node:crypto, usable by forge to sign certificates. */
export interface RsaKey {
  readonly publicKey: forge.pki.rsa.PublicKey;
  readonly keyPem: string;
  /** Signs a forge message digest, RSASSA-PKCS1-v1_5 (forge's `key.sign(md)` contract). */
  sign(md: forge.md.MessageDigest): string;
}

// DER prefix of a PKCS#1 DigestInfo for SHA-256 (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

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

/**
 * forge builds the certificates; the RSA arithmetic is OpenSSL's (node:crypto). forge's
 * pure-JS prime search and modPow take seconds per certificate on a busy machine.
 */
export function rsaKeyPair(): RsaKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  return rsaKey(privateKey);
}

/** forge's view of an RSA private key held by node:crypto. */
export function rsaKey(privateKey: KeyObject): RsaKey {
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    publicKey: forge.pki.publicKeyFromPem(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString()) as forge.pki.rsa.PublicKey,
    keyPem,
    sign(md) {
      if (md.algorithm !== 'sha256') throw new Error(`unsupported digest ${md.algorithm}`);
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      // PKCS#1 v1.5 signature = private-key operation on the padded DigestInfo.
      const sig = privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]));
      return sig.toString('binary');
    },
  };
}

/**
 * A CA made earlier (its PEM certificate and RSA key), to issue more certificates with. The
 * caller has checked that the key matches the certificate.
 */
export function caFromPem(certPem: string, keyPem: string): CertificateAuthority {
  return { cert: forge.pki.certificateFromPem(certPem), key: rsaKey(createPrivateKey(keyPem)), certPem, keyPem };
}

/** A certificate for `keys` with a random serial and the validity window, ready for subject and extensions. */
export function newCertificate(keys: { publicKey: forge.pki.PublicKey }, options: ValidityOptions, defaultDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  const { notBefore, notAfter } = validity(options, defaultDays);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  return cert;
}

/** A self-signed CA allowed to sign leaf certificates only (pathLen 0). */
export function createCa(options: ValidityOptions & { commonName?: string } = {}): CertificateAuthority {
  const keys = rsaKeyPair();
  const cert = newCertificate(keys, options, 3650);
  const subject = [{ name: 'commonName', value: options.commonName ?? 'Portcullis development CA' }, { name: 'organizationName', value: 'Portcullis' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { cert, key: keys, certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}
