import { isIP } from 'node:net';
import forge from 'node-forge';
import { newCertificate, rsaKeyPair, type CertificateAuthority, type KeyPairPem, type ValidityOptions } from './create-ca.js';

export interface IssueOptions extends ValidityOptions {
  commonName: string;
  /** `server`: serverAuth with SANs; `client`: clientAuth (mTLS). */
  usage: 'server' | 'client';
  /** DNS names and IP addresses for the subjectAltName extension. */
  altNames?: readonly string[];
}

/** A leaf certificate signed by `ca`, with a fresh RSA key. */
export function issueCert(ca: CertificateAuthority, options: IssueOptions): KeyPairPem {
  const keys = rsaKeyPair();
  const cert = newCertificate(keys, options, 365);
  cert.setSubject([{ name: 'commonName', value: options.commonName }, { name: 'organizationName', value: 'Portcullis' }]);
  cert.setIssuer(ca.cert.subject.attributes);
  const altNames = [...new Set(options.altNames ?? [])].map((n) =>
    isIP(n) ? { type: 7, ip: n } : { type: 2, value: n });
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: options.usage === 'server', clientAuth: options.usage === 'client' },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}
